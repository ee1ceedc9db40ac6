// The generated model is a real one: node-llama-cpp (llama.cpp) loads it, its tokenizer turns
// words into word tokens and back, and it generates as many tokens as asked. The generator is
// deterministic, so every machine tests the same bytes.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TINY, writeTinyLlama } from '../../packaging/models/tiny-llama.ts';
import { loadNodeLlamaCpp } from '../support/node-llama-cpp.ts';

const BUILT = path.resolve(import.meta.dirname, '../../build/models/tiny-llama.gguf');
const found = await loadNodeLlamaCpp();
const nlc = 'module' in found ? found.module : null;
if (!nlc) console.warn(`SKIPPING the generated model's load and generation: ${'missing' in found ? found.missing : ''}`);

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the generated tiny llama', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-model-'));
  const file = path.join(dir, 'tiny.gguf');
  const size = writeTinyLlama(TINY, file);

  it('is the same bytes every time, and the build wrote those bytes', () => {
    const again = path.join(dir, 'again.gguf');
    writeTinyLlama(TINY, again);
    expect(sha(again)).toBe(sha(file));
    expect(size).toBeGreaterThan(1 << 20);
    expect(size).toBeLessThan(5 << 20);
    if (existsSync(BUILT)) expect(sha(BUILT)).toBe(sha(file));
  });

  it.skipIf(!nlc)('loads in node-llama-cpp, tokenizes words as words, and generates the tokens asked for', async () => {
    const llama = await nlc!.getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath: file });
    expect(model.fileInfo.metadata.general).toMatchObject({ architecture: 'llama', name: TINY.name });
    const text = 'the answer is in the document';
    const tokens = model.tokenize(text);
    expect(tokens).toHaveLength(6); // one token a word: the vocabulary holds each of them
    expect(model.detokenize(tokens)).toBe(text);
    expect(model.detokenize(model.tokenize('Zebra Ünïcode 42'))).toBe('Zebra Ünïcode 42'); // the byte tokens carry the rest
    const context = await model.createContext({ contextSize: 256, threads: 2 });
    let streamed = 0;
    const completion = new nlc!.LlamaCompletion({ contextSequence: context.getSequence() });
    const out = await completion.generateCompletion('the question of the file', {
      maxTokens: 24,
      temperature: 0,
      onToken: (t) => (streamed += t.length),
    });
    expect(streamed).toBe(24); // the control tokens never win: generation runs to the count asked
    expect(out.trim().length).toBeGreaterThan(0);
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  });

  it.skipIf(!nlc)('in half precision too, as the benchmark model is written', async () => {
    const half = path.join(dir, 'half.gguf');
    writeTinyLlama({ ...TINY, weights: 'f16', layers: 2 }, half);
    const llama = await nlc!.getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath: half });
    const context = await model.createContext({ contextSize: 128, threads: 2 });
    let streamed = 0;
    const completion = new nlc!.LlamaCompletion({ contextSequence: context.getSequence() });
    await completion.generateCompletion('the file', { maxTokens: 8, temperature: 0, onToken: (t) => (streamed += t.length) });
    expect(streamed).toBe(8);
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  });
});
