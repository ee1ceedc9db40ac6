// The models `npm run build` makes: the tiny test model, rebuilt only when its recipe or the code
// that writes it changed (a key file beside it names both), so a second build costs nothing.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TINY, writeTinyLlama, type TinyLlamaOptions } from './tiny-llama.ts';

export { BENCH, TINY, writeTinyLlama } from './tiny-llama.ts';

/** `file` made from `options` unless the key beside it says it already is; `builder` is the writing code's own sum. */
export function ensureModel(file: string, options: TinyLlamaOptions, builder: string): { file: string; built: boolean; bytes: number } {
  const key = createHash('sha256').update(builder).update(JSON.stringify(options)).digest('hex');
  const keyFile = `${file}.key`;
  if (existsSync(file) && existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim() === key)
    return { file, built: false, bytes: readFileSync(file).length };
  mkdirSync(path.dirname(file), { recursive: true });
  const bytes = writeTinyLlama(options, file);
  writeFileSync(keyFile, `${key}\n`);
  return { file, built: true, bytes };
}

/** The build's models under `repo`/build/models; one note line each. */
export function buildModels(repo: string, builder: string): string[] {
  const made = ensureModel(path.join(repo, 'build/models/tiny-llama.gguf'), TINY, builder);
  return [`${made.built ? 'wrote' : 'kept'} build/models/tiny-llama.gguf (${(made.bytes / 2 ** 20).toFixed(1)} MiB)`];
}
