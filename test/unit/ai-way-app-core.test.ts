// The app's pure core beside the text: prompt fitting, passage choice, NDJSON, backend and threads, settings.
import { describe, expect, it } from 'vitest';
import { answer, tokensPerSecond } from '../../images/ai-way/app/src/ask/answer.ts';
import { buildPrompt, fitPrompt, pickPassages, toSources } from '../../images/ai-way/app/src/ask/prompt.ts';
import { configFrom } from '../../images/ai-way/app/src/config.ts';
import type { Passage } from '../../images/ai-way/app/src/documents/library.ts';
import { backendFor, cpusFromCfs, cpusFromCpuMax, threadsFor } from '../../images/ai-way/app/src/llm/backend.ts';
import { type AnswerEvent, decodeLines, encodeEvent } from '../../images/ai-way/app/src/ndjson.ts';

const passage = (file: string, text: string, score = 1): Passage => ({ file, text, start: 0, end: text.length, score });
const byChars = (t: string) => t.length;

describe('prompt', () => {
  it('names each passage and its file, and ends where the answer starts', () => {
    const p = buildPrompt(' why? ', [passage('a.md', 'alpha'), passage('b.pdf', 'beta')]);
    expect(p).toContain('[1] from a.md:\nalpha');
    expect(p).toContain('[2] from b.pdf:\nbeta');
    expect(p.endsWith('Question: why?\nAnswer:')).toBe(true);
    expect(buildPrompt('why?', [])).toMatch(/no documents.*no sources/s);
  });

  it('drops the weakest passages, then shortens the last, then the question, to fit the budget', () => {
    const ranked = [passage('a', 'x'.repeat(1000)), passage('b', 'y'.repeat(1000))];
    const all = fitPrompt('q', ranked, byChars, 10_000);
    expect(all.passages.map((p) => p.file)).toEqual(['a', 'b']);
    const one = fitPrompt('q', ranked, byChars, 1300);
    expect(one.passages.map((p) => p.file)).toEqual(['a']);
    const cut = fitPrompt('q', ranked, byChars, 700);
    expect(cut.passages).toHaveLength(1);
    expect(cut.passages[0]!.text.length).toBeLessThan(1000);
    expect(cut.prompt.length).toBeLessThanOrEqual(700);
    const none = fitPrompt('q'.repeat(5000), ranked, byChars, 300);
    expect(none.passages).toEqual([]);
    expect(none.prompt.length).toBeLessThanOrEqual(300);
  });

  it('gives a second file its say, and previews passages in 200 characters', () => {
    const ranked = [passage('a', '1', 9), passage('a', '2', 8), passage('a', '3', 7), passage('b', '4', 1)];
    expect(pickPassages(ranked, 3, 2).map((p) => p.text)).toEqual(['1', '2', '4']);
    expect(toSources([passage('a', 'z'.repeat(300), 1.23456)])).toEqual([{ file: 'a', passage: 'z'.repeat(200), score: 1.235 }]);
  });
});

describe('ndjson', () => {
  it('writes one event a line, whatever the text holds, and reads lines back as they arrive', () => {
    const line = encodeEvent({ type: 'token', text: 'a\nb"\u2028' });
    expect(line.split('\n')).toHaveLength(2);
    const { events, rest } = decodeLines(`${line}${encodeEvent({ type: 'error', message: 'x' })}{"type":"to`);
    expect(events).toEqual([
      { type: 'token', text: 'a\nb"\u2028' },
      { type: 'error', message: 'x' },
    ]);
    expect(rest).toBe('{"type":"to');
  });
});

describe('backend and threads', () => {
  it('follows the devices the appliance was given', () => {
    expect(backendFor(['null', 'nvidia0', 'nvidiactl'], [])).toBe('cuda');
    expect(backendFor(['null', 'dri'], ['card0', 'renderD128'])).toBe('vulkan');
    expect(backendFor(['null', 'zero'], ['card0'])).toBe('cpu');
  });

  it('takes the CPUs the cgroup allows', () => {
    expect(cpusFromCpuMax('max 100000\n')).toBeNull();
    expect(cpusFromCpuMax('150000 100000')).toBe(2);
    expect(cpusFromCpuMax('1000 100000')).toBe(1);
    expect(cpusFromCpuMax('garbage')).toBeNull();
    expect(cpusFromCfs('-1\n', '100000\n')).toBeNull();
    expect(cpusFromCfs('400000', '100000')).toBe(4);
    expect(threadsFor(16, 4)).toBe(4);
    expect(threadsFor(2, 4)).toBe(2);
    expect(threadsFor(8, null)).toBe(8);
  });
});

describe('settings', () => {
  it('has the appliance defaults and takes test overrides', () => {
    expect(configFrom({})).toMatchObject({
      port: 8080,
      workspace: '/workspace',
      model: '/model/model.gguf',
      contextSize: 2048,
      backend: null,
    });
    expect(configFrom({ AIWAY_PORT: '0', AIWAY_BACKEND: 'cpu', AIWAY_MAX_TOKENS: '16' })).toMatchObject({
      port: 0,
      backend: 'cpu',
      maxTokens: 16,
    });
    expect(() => configFrom({ AIWAY_PORT: 'x' })).toThrow(/AIWAY_PORT must be a whole number/);
    expect(() => configFrom({ AIWAY_BACKEND: 'metal' })).toThrow(/auto, cpu, cuda or vulkan/);
  });
});

describe('answer', () => {
  const fake = (tokens: string[]) => ({
    backend: 'cpu',
    contextSize: 400,
    countTokens: (t: string) => t.length,
    prompts: [] as string[],
    async generate(prompt: string, _max: number, onText: (t: string) => void) {
      this.prompts.push(prompt);
      for (const t of tokens) onText(t);
      return { tokens: tokens.length, firstTokenMs: 100, ms: 1100, stopped: 'done' as const };
    },
  });

  it('sends the sources first, then each token, then the figures', async () => {
    const model = fake(['a', 'b', 'c']);
    const library = { search: () => [passage('n.md', 'zebra 4242', 2), passage('x.pdf', 'y'.repeat(500), 1)] };
    const seen: AnswerEvent[] = [];
    const result = await answer(
      'zebra?',
      library,
      model,
      { maxTokens: 50, passages: 4, perFile: 2 },
      (e) => seen.push(e),
      new AbortController().signal,
    );
    expect(seen.map((e) => e.type)).toEqual(['sources', 'token', 'token', 'token', 'done']);
    // Only what fits the context (400 - 50 - 8 characters here) is used and cited.
    expect(seen[0]).toEqual({ type: 'sources', sources: [{ file: 'n.md', passage: 'zebra 4242', score: 2 }] });
    expect(model.prompts[0]!.length).toBeLessThanOrEqual(342);
    expect(seen.at(-1)).toMatchObject({ type: 'done', tokens: 3, tokensPerSecond: 2, backend: 'cpu' });
    expect(result).toEqual({ tokens: 3, tokensPerSecond: 2, stopped: 'done' });
  });

  it('measures speed after the first token, and knows none without two tokens', () => {
    expect(tokensPerSecond({ tokens: 11, firstTokenMs: 500, ms: 1500, stopped: 'done' })).toBe(10);
    expect(tokensPerSecond({ tokens: 1, firstTokenMs: 500, ms: 1500, stopped: 'done' })).toBe(0);
    expect(tokensPerSecond({ tokens: 0, firstTokenMs: null, ms: 0, stopped: 'aborted' })).toBe(0);
  });
});
