// An app's answer read as it streams: JSON lines (tokens, sources, done or error) or plain text,
// from a hostile app as well as a good one; the HTTP head read before the body; the smoke check's verdict.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ANSWER_LIMITS, AnswerDecoder, type AnswerPiece } from '../../launcher/session/answer-stream.ts';
import { AnswerBytes, type AnswerHead } from '../../launcher/session/http.ts';
import { documentOutcome, parseDocuments, parseStatus } from '../../launcher/session/app-api.ts';
import { smokeProblem, type Answer } from '../../launcher/session/smoke.ts';

const NDJSON = 'application/x-ndjson';
const LINES = [
  '{"type":"sources","sources":[{"file":"notes.md","passage":"The lighthouse is red","score":1.5}]}',
  '{"type":"token","text":"Red "}',
  '{"type":"token","text":"and white."}',
  '{"type":"done","tokens":2,"tokensPerSecond":41.5,"backend":"cpu","ms":48}',
];
const BODY = `${LINES.join('\n')}\n`;

/** Every piece the body makes, fed in the given pieces. */
function decode(parts: string[], type: string | null = NDJSON) {
  const d = new AnswerDecoder(type);
  const pieces: AnswerPiece[] = [...parts.flatMap((p) => d.push(p)), ...d.end()];
  return { pieces, result: d.result() };
}

describe('an answer of JSON lines', () => {
  it('tokens, sources and done, in order', () => {
    const { pieces, result } = decode([BODY]);
    expect(pieces).toEqual([
      { type: 'sources', sources: [{ file: 'notes.md', passage: 'The lighthouse is red', score: 1.5 }] },
      { type: 'text', text: 'Red ' },
      { type: 'text', text: 'and white.' },
      { type: 'done', tokens: 2, tokensPerSecond: 41.5, backend: 'cpu', ms: 48 },
    ]);
    expect(result).toEqual({
      body: 'Red and white.',
      sources: [{ file: 'notes.md', passage: 'The lighthouse is red', score: 1.5 }],
      tokens: 2,
      tokensPerSecond: 41.5,
      backend: 'cpu',
      error: null,
    });
  });

  it('the same, however the body is cut into pieces (lines split across them, one character at a time)', () => {
    const whole = decode([BODY]);
    expect(decode(Array.from(BODY))).toEqual(whole);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: BODY.length }), { maxLength: 12 }), (cuts) => {
        const at = [0, ...[...cuts].sort((a, b) => a - b), BODY.length];
        expect(decode(at.slice(1).map((end, i) => BODY.slice(at[i], end)))).toEqual(whole);
      }),
    );
  });

  it('a token arrives as soon as its line is complete, not at the end', () => {
    const d = new AnswerDecoder(NDJSON);
    expect(d.push('{"type":"token","text":"Re')).toEqual([]);
    expect(d.push('d"}\n{"type":')).toEqual([{ type: 'text', text: 'Red' }]);
  });

  it('CRLF lines and a last line without its newline; the media type is read as http.ts gives it', () => {
    expect(decode([LINES.join('\r\n')]).result.tokens).toBe(2);
    expect(decode([BODY], 'application/jsonl').result.body).toBe('Red and white.');
  });

  it('an error line ends the answer, and what the app said is kept', () => {
    const { pieces, result } = decode(['{"type":"token","text":"Re"}\n{"type":"error","message":"the model ran out of memory"}\n']);
    expect(pieces.at(-1)).toEqual({ type: 'error', message: 'the model ran out of memory' });
    expect(result).toMatchObject({ body: 'Re', error: 'the model ran out of memory' });
  });
});

describe('a hostile app', () => {
  it('garbage lines become warnings, the answer goes on, and an answer cut short says so', () => {
    const { pieces, result } = decode([
      'not json\n[1,2]\n{"type":"token","text":5}\n{"type":"sources","sources":"x"}\n{"type":"token","text":"ok"}\n',
    ]);
    expect(result.body).toBe('ok');
    expect(pieces.filter((p) => p.type === 'warning').map((p) => (p as { message: string }).message)).toEqual([
      'the app sent a line that is not JSON: "not json"',
      'the app sent a line that is not part of an answer: "[1,2]"',
      'the app sent a line that is not part of an answer: "{\\"type\\":\\"token\\",\\"text\\":5}"',
      'the app sent a line that is not part of an answer: "{\\"type\\":\\"sources\\",\\"sources\\":\\"x\\"}"',
      'the answer ended before the app said it was done',
    ]);
  });

  it('warnings are bounded: past the first few they are counted', () => {
    const { pieces } = decode(['x\n'.repeat(10_000)]);
    expect(pieces).toHaveLength(ANSWER_LIMITS.warnings + 1);
    expect(pieces.at(-1)).toEqual({
      type: 'warning',
      message: `and ${10_000 + 1 - ANSWER_LIMITS.warnings} more line(s) the app got wrong`,
    });
  });

  it('a line longer than the limit is skipped whole, even across pieces, and the next line is read', () => {
    const long = `{"type":"token","text":"${'x'.repeat(ANSWER_LIMITS.lineChars)}"}`;
    const { pieces, result } = decode([long.slice(0, 1000), long.slice(1000), '\n{"type":"token","text":"after"}\n']);
    expect(result.body).toBe('after');
    expect(pieces[0]).toEqual({ type: 'warning', message: 'the app sent a line longer than 64 KiB; it was skipped' });
  });

  it('sources, strings and numbers are bounded; a wrong field is null, a wrong source left out', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ file: `f${i}`, passage: 'p'.repeat(1500), score: i }));
    const { result } = decode([
      `${JSON.stringify({ type: 'sources', sources: [{ file: 1 }, ...many] })}\n`,
      `${JSON.stringify({ type: 'done', tokens: -1, tokensPerSecond: 'fast', backend: 'b'.repeat(99), ms: Number.POSITIVE_INFINITY })}\n`,
    ]);
    expect(result.sources).toHaveLength(ANSWER_LIMITS.sources - 1); // the first is no source: one less of those counted
    expect(result.sources[0]!.passage).toHaveLength(ANSWER_LIMITS.passageChars);
    expect(result).toMatchObject({ tokens: null, tokensPerSecond: null, backend: 'b'.repeat(ANSWER_LIMITS.backendChars) });
  });

  it('a line after the end is a warning, not more answer', () => {
    const { result, pieces } = decode([BODY, '{"type":"token","text":"more"}\n']);
    expect(result.body).toBe('Red and white.');
    expect(pieces.at(-1)).toMatchObject({ type: 'warning' });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (parts) => {
        decode(parts);
      }),
    );
  });
});

describe('a plain-text answer (the selftest)', () => {
  it('is one stream of text, as it comes, with nothing else', () => {
    const { pieces, result } = decode(['question: notes\n', 'notes: notes.txt (2)\n'], 'text/plain');
    expect(pieces).toEqual([
      { type: 'text', text: 'question: notes\n' },
      { type: 'text', text: 'notes: notes.txt (2)\n' },
    ]);
    expect(result).toEqual({
      body: 'question: notes\nnotes: notes.txt (2)\n',
      sources: [],
      tokens: null,
      tokensPerSecond: null,
      backend: null,
      error: null,
    });
    expect(decode([BODY], null).result.body).toBe(BODY);
  });
});

describe('the HTTP head, read before the body', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it('gives the status and media type with the first piece of the body; a character split across pieces comes out whole', () => {
    const got: [string, AnswerHead][] = [];
    const a = new AnswerBytes((text, head) => got.push([text, head]));
    const body = bytes('{"type":"token","text":"für 漢"}\n');
    a.push(bytes('HTTP/1.0 200 OK\r\nContent-Type: Application/X-NDJSON; charset=utf-8\r\n\r'));
    expect(got).toEqual([]);
    const split = body.indexOf(0xbc); // inside "ü"
    a.push(new Uint8Array([...bytes('\n'), ...body.subarray(0, split)]));
    a.push(body.subarray(split));
    expect(got.map(([t]) => t).join('')).toBe('{"type":"token","text":"für 漢"}\n');
    expect(got.every(([t]) => !t.includes('\ufffd'))).toBe(true);
    expect(got[0]![1]).toEqual({ status: 200, contentType: 'application/x-ndjson' });
    expect(a.answer()).toMatchObject({ status: 200, contentType: 'application/x-ndjson' });
  });

  it('no media type is null; a head that is not HTTP is refused before any of the body is passed on', () => {
    const got: string[] = [];
    const a = new AnswerBytes((t) => got.push(t));
    a.push(bytes('HTTP/1.0 200 OK\r\n\r\nhi'));
    expect(a.answer()).toEqual({ status: 200, contentType: null, body: 'hi' });
    expect(() => new AnswerBytes(() => undefined).push(bytes('SSH-2.0\r\n\r\nx'))).toThrow('the app did not answer in HTTP');
  });
});

describe("the app's status and documents", () => {
  it('reads what the contract says, leaves out what is wrong, and bounds what is long', () => {
    const status = {
      model: { file: '/model/model.gguf', bytes: 1, architecture: 'llama', name: 'tiny' },
      backend: 'cpu',
      warnings: ['CUDA failed to initialise; running on the processor', 7],
      threads: 4,
      contextSize: 2048,
      lastTokensPerSecond: 12.5,
      documents: 2,
    };
    expect(parseStatus(JSON.stringify(status))).toEqual({
      model: 'tiny',
      backend: 'cpu',
      warnings: ['CUDA failed to initialise; running on the processor'],
      lastTokensPerSecond: 12.5,
      threads: 4,
      contextSize: 2048,
      documents: 2,
    });
    expect(parseStatus('{"backend":{"x":1},"lastTokensPerSecond":-3}')).toMatchObject({ backend: null, lastTokensPerSecond: null });
    expect(parseStatus('<html>')).toBeNull();
    expect(parseStatus(JSON.stringify({ model: { file: 'm'.repeat(1000) } }))!.model).toHaveLength(301);
  });

  it('documents: indexed with its passages, refused with its reason; a wrong entry is left out', () => {
    const docs = parseDocuments(
      JSON.stringify({
        documents: [
          { name: 'notes.md', bytes: 10, status: 'indexed', chunks: 3 },
          { name: 'x.pdf', bytes: 4, status: 'refused', reason: 'not a PDF: no %PDF header' },
          { name: 'y', status: 'eaten' },
          'junk',
        ],
      }),
    )!;
    expect(docs.map(documentOutcome)).toEqual(['indexed (3 passages)', 'refused: not a PDF: no %PDF header']);
    expect(parseDocuments('{"documents":5}')).toBeNull();
  });
});

describe('the smoke check', () => {
  const smoke = {
    method: 'POST',
    path: '/ask',
    body: 'q',
    expectStatus: 200,
    expectBody: null,
    document: '/d/notes.md',
    expectSource: 'notes.md',
  } as const;
  const good: Answer = { status: 200, streamed: true, ...decode([BODY]).result };
  it('passes an answer that streamed text and cites the document; says why another fails', () => {
    expect(smokeProblem(smoke, good)).toBeNull();
    expect(smokeProblem(smoke, { ...good, sources: [] })).toBe('the answer did not cite notes.md (it cited nothing)');
    expect(smokeProblem(smoke, { ...good, body: '' })).toBe('the answer streamed no text');
    expect(smokeProblem(smoke, { ...good, error: 'no model' })).toBe('the app failed to answer: no model');
    expect(smokeProblem(smoke, { ...good, status: 500 })).toBe('expected HTTP 200, got HTTP 500: Red and white.');
  });
  it("the selftest's plain answer is judged as before", () => {
    const plain = { ...smoke, expectBody: 'hello', document: null, expectSource: null };
    const answer = { ...good, streamed: false, sources: [], tokens: null, tokensPerSecond: null, backend: null };
    expect(smokeProblem(plain, { ...answer, body: 'question: hello' })).toBeNull();
    expect(smokeProblem(plain, { ...answer, body: 'bye' })).toBe('expected HTTP 200 containing "hello", got HTTP 200: bye');
  });
});
