// A smoke file (`run --smoke FILE.toml`): parsed into documents and questions, or refused in one line
// with file:line:column; and each question's answer judged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSmokeFile, parseSmokeFile, type SmokeQuestion } from '../../appliance/smoke-file.ts';
import { readRegularFile } from '../../platforms/bounded-read.ts';
import { questionProblem, type Answer } from '../../launcher/session/smoke.ts';

const FILE = '/ci/smoke/smoke.toml';
const error = (text: string) => {
  try {
    parseSmokeFile(text, FILE);
  } catch (e) {
    return `${(e as Error).message}; ${(e as { fix: string }).fix}`;
  }
  throw new Error('no error');
};

describe('parseSmokeFile', () => {
  it('reads documents (relative to the file) and questions', () => {
    const f = parseSmokeFile(
      `documents = ["notes.md", "docs/a.pdf"]\n\n[[questions]]\nask = "colour?"\ncontains = "red"\nsources = ["notes.md"]\n\n` +
        `[[questions]]\nask = "size?"\nmatches = "\\\\d+ m"\n`,
      FILE,
    );
    expect(f.documents).toEqual(['/ci/smoke/notes.md', '/ci/smoke/docs/a.pdf']);
    expect(f.questions).toEqual([
      { ask: 'colour?', contains: 'red', matches: null, sources: ['notes.md'] },
      { ask: 'size?', contains: null, matches: /\d+ m/u, sources: [] },
    ]);
  });

  it.each([
    ['[[questions]]\nask = "a"\ncontians = "x"\n', /:3:1: unknown key 'contians' in a \[\[questions\]\] table; use ask, contains/],
    ['[[questions]]\nask = "a"\nmatches = "(("\n', /:3:1: 'matches' is not a regular expression \(.*\); write a JavaScript/],
    ['documents = ["/etc/passwd"]\n[[questions]]\nask = "a"\n', /:1:14: document "\/etc\/passwd" is an absolute path/],
    [
      'documents = "notes.md"\n[[questions]]\nask = "a"\n',
      /:1:1: 'documents' is not a list of file names; write documents = \["notes.md"\]/,
    ],
    ['[[questions]]\ncontains = "x"\n', /:1:1: 'ask' is missing or empty/],
    ['[[questions]]\nask = ""\n', /:2:1: 'ask' is missing or empty/],
    ['[[questions]]\nask = "a"\nsources = [1]\n', /:3:1: 'sources' is not a list of file names/],
    ['documents = []\n', /:1:1: the file asks no question; add documents/],
    ['questions = 3\n', /:1:1: 'questions' is not a list of \[\[questions\]\] tables/],
    ['question = 1\n[[questions]]\nask = "a"\n', /:1:1: unknown key 'question'/],
    ['[[questions]]\nask = "a\n', /:2:\d+: TOML syntax error: /],
  ])('%j: one line with file:line:column and what to do', (text, message) => {
    const m = error(text);
    expect(m.startsWith(`${FILE}:`)).toBe(true);
    expect(m).toMatch(message);
    expect(m).not.toContain('\n');
  });

  it('a file that is missing, a folder or not UTF-8: one line, file:1:1', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-smoke-'));
    const latin1 = path.join(dir, 'latin1.toml');
    writeFileSync(latin1, Buffer.from([0x61, 0x3d, 0xe9]));
    const refusal = (f: string) =>
      loadSmokeFile(f, readRegularFile).then(
        () => 'read',
        (e: Error) => e.message,
      );
    expect(await refusal(path.join(dir, 'none.toml'))).toBe(`${path.join(dir, 'none.toml')}:1:1: no such file`);
    expect(await refusal(dir)).toBe(`${dir}:1:1: this is a folder, not a regular file`);
    expect(await refusal(latin1)).toBe(`${latin1}:1:1: the file is not UTF-8 text`);
  });
});

describe('questionProblem', () => {
  const q = (o: Partial<SmokeQuestion>): SmokeQuestion => ({ ask: 'q', contains: null, matches: null, sources: [], ...o });
  const a = (body: string, o: Partial<Answer> = {}): Answer => ({
    status: 200,
    streamed: false,
    body,
    sources: [],
    tokens: null,
    tokensPerSecond: null,
    backend: null,
    error: null,
    ...o,
  });
  it.each([
    [q({ contains: 'red' }), a('it is red'), null],
    [q({ contains: 'red' }), a('it is blue'), 'the answer does not contain "red"'],
    [q({ matches: /^it is \w+$/u }), a('it is blue'), null],
    [q({ matches: /red/u }), a('it is blue'), 'the answer does not match /red/'],
    [q({}), a('', {}), 'the answer is empty'],
    [q({}), a('oops', { status: 500 }), 'expected HTTP 200, got HTTP 500: oops'],
    [q({}), a('half', { error: 'out of memory' }), 'the app failed to answer: out of memory'],
    [q({ sources: ['notes.md'] }), a('x', { sources: [{ file: 'notes.md', passage: 'p', score: 1 }] }), null],
    [
      q({ sources: ['notes.md', 'b.pdf'] }),
      a('x', { sources: [{ file: 'notes.md', passage: 'p', score: 1 }] }),
      'the answer did not cite b.pdf (it cited notes.md)',
    ],
  ])('%#', (question, answer, problem) => {
    expect(questionProblem(question, answer)).toBe(problem);
  });
});
