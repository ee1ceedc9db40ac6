// The person's model store on a real folder: a model enters by its sum, read-only, listed once;
// names clash clearly; a file that is no model leaves nothing behind; --model and a manifest's
// default are found by name or path, or said missing for the Plan.
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addModel, findModel, listModels, modelFor, modelsDir, removeModel } from '../../platforms/host/model-store.ts';
import { TINY, writeTinyLlama } from '../../packaging/models/tiny-llama.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ai-way-store-'));
const src = tmp();
const A = path.join(src, 'a.gguf');
const B = path.join(src, 'b.gguf');
const little = { ...TINY, embedding: 32, layers: 1, heads: 2, feedForward: 64, words: 20 };
writeTinyLlama(little, A);
writeTinyLlama({ ...little, seed: 7 }, B);

describe('the model store', () => {
  it('lives in XDG_DATA_HOME, else ~/.local/share', () => {
    expect(modelsDir({ XDG_DATA_HOME: '/x/data' })).toBe('/x/data/ai-way/models');
    expect(modelsDir({ XDG_DATA_HOME: 'relative' })).toBe(path.join(os.homedir(), '.local/share/ai-way/models'));
  });

  it('copies a model in by its sha256, read-only, and lists it', async () => {
    const dir = path.join(tmp(), 'models');
    expect(await listModels(dir)).toEqual([]);
    const m = await addModel(dir, A);
    expect(m).toMatchObject({ name: 'a', bytes: statSync(A).size, architecture: 'llama', already: false });
    expect(statSync(path.join(dir, `${m.sha256}.gguf`)).mode & 0o777).toBe(0o444);
    expect(await listModels(dir)).toEqual([{ name: 'a', sha256: m.sha256, bytes: m.bytes, architecture: 'llama', addedAt: m.addedAt }]);
    expect((await addModel(dir, A, 'again')).already).toBe(true); // the same bytes: one copy, its first name
    expect(readdirSync(dir).sort()).toEqual([`${m.sha256}.gguf`, 'models.json']);
  });

  it('says a name clash, and a name the store does not hold, clearly', async () => {
    const dir = tmp();
    await addModel(dir, A, 'tiny');
    await expect(addModel(dir, B, 'tiny')).rejects.toMatchObject({
      code: 'model',
      message: 'a model named "tiny" is in the store already',
      fix: 'give another name with --name, or remove it first: ai-way models remove tiny',
    });
    await expect(addModel(dir, B, 'no good')).rejects.toMatchObject({ code: 'usage' });
    await expect(removeModel(dir, 'tiny2')).rejects.toMatchObject({
      message: 'there is no model named "tiny2" in the store',
      fix: 'the store holds tiny (see "ai-way models list")',
    });
    const removed = await removeModel(dir, 'tiny');
    expect(await listModels(dir)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['models.json']); // its file went with it
    expect(removed.name).toBe('tiny');
  });

  it('refuses a file that is no model before copying a byte, and a damaged list without overwriting it', async () => {
    const dir = tmp();
    const text = path.join(src, 'notes.gguf');
    writeFileSync(text, 'just notes\n');
    await expect(addModel(dir, text)).rejects.toMatchObject({
      code: 'model',
      message: `${text} is not a usable GGUF model: it does not begin with "GGUF"`,
    });
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(path.join(dir, 'models.json'), '{not json');
    await expect(addModel(dir, A)).rejects.toMatchObject({ code: 'model', message: expect.stringMatching(/models\.json is damaged$/) });
  });

  it('finds --model by name or by path, and says what is missing for the Plan', async () => {
    const dir = tmp();
    const m = await addModel(dir, A, 'tiny');
    expect(await findModel(dir, 'tiny')).toEqual({
      name: 'tiny',
      file: path.join(dir, `${m.sha256}.gguf`),
      sha256: m.sha256,
      bytes: m.bytes,
    });
    expect(await findModel(dir, B)).toMatchObject({ name: 'b.gguf', file: B, bytes: statSync(B).size });
    expect(await modelFor(dir, undefined, null)).toBeNull();
    expect(await modelFor(dir, undefined, { default: 'tiny' })).toMatchObject({ name: 'tiny' });
    expect(await modelFor(dir, 'gone', { default: 'tiny' })).toEqual({ missing: 'there is no model named "gone" in the store' });
    expect(await modelFor(dir, undefined, { default: 'gone' })).toEqual({ missing: 'its default model "gone" is not in the store' });
    expect(await modelFor(dir, undefined, { default: null })).toEqual({
      missing: 'none was given (--model) and its manifest names no default',
    });
    const odd = path.join(src, 'a:b,c.gguf');
    copyFileSync(A, odd);
    await expect(findModel(dir, odd)).rejects.toMatchObject({
      code: 'model',
      message: `${odd} has a ":" or "," in its path, which cannot be mounted`,
    });
    expect((await addModel(dir, odd, 'odd')).already).toBe(true); // the store's own name is safe to mount
    await expect(modelFor(dir, path.join(src, 'missing.gguf'), null)).rejects.toMatchObject({ code: 'model', message: /does not exist$/ });
  });
});
