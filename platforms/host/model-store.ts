// The person's model store: `${XDG_DATA_HOME:-~/.local/share}/ai-way/models/<sha256>.gguf`, each
// file read-only (0444) and named by its sum, listed in models.json (name, sha256, bytes,
// architecture, addedAt). A file enters by a copy that is checked again once whole, then renamed:
// the store never holds half a model, and never one whose header was not read.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Failure } from '../../appliance/failures.ts';
import { MODEL_NAME } from '../../appliance/manifest-schema.ts';
import type { ModelFound, PlanModel } from '../../appliance/plan-model.ts';
import { readRegularFile } from '../bounded-read.ts';
import { modelFailure, readGguf, sha256File } from './model-file.ts';

export interface StoredModel {
  name: string;
  sha256: string;
  bytes: number;
  architecture: string | null;
  addedAt: string;
}

/** The store's folder, from the environment as given. */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const data = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local/share');
  return path.join(data, 'ai-way', 'models');
}

const INDEX = 'models.json';
const SHA = /^[0-9a-f]{64}$/;
export const storedFile = (dir: string, m: Pick<StoredModel, 'sha256'>) => path.join(dir, `${m.sha256}.gguf`);

/** The store's list; empty when there is none yet. A damaged index is said, not overwritten. */
export async function listModels(dir: string): Promise<StoredModel[]> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readRegularFile(path.join(dir, INDEX), 16 << 20));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw modelFailure(path.join(dir, INDEX), e);
  }
  const list: unknown = (() => {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  })();
  const fine = (m: StoredModel) => typeof m?.name === 'string' && SHA.test(m?.sha256) && Number.isSafeInteger(m?.bytes);
  if (!Array.isArray(list) || !list.every(fine))
    throw new Failure('model', `the model store's list ${path.join(dir, INDEX)} is damaged`, {
      fix: 'move it away; "ai-way models add" then starts a new one',
    });
  return list;
}

async function writeIndex(dir: string, list: StoredModel[]): Promise<void> {
  const temp = path.join(dir, `.${INDEX}.${process.pid}`);
  await writeFile(temp, `${JSON.stringify(list, null, 2)}\n`, { mode: 0o644 });
  await rename(temp, path.join(dir, INDEX));
}

const clash = (name: string, what: string) =>
  new Failure('model', `a model named "${name}" is in the store already${what}`, {
    fix: `give another name with --name, or remove it first: ai-way models remove ${name}`,
  });

/** Copies GGUF file `file` into the store as `name` (the file's name without .gguf if not given); already: it was there. */
export async function addModel(dir: string, file: string, name?: string): Promise<StoredModel & { already: boolean }> {
  const wanted = name ?? path.basename(file).replace(/\.gguf$/i, '');
  if (!MODEL_NAME.test(wanted))
    throw new Failure('usage', `"${wanted}" cannot name a model: use letters, digits, ".", "_" and "-" (up to 64)`, {
      fix: 'give one with --name',
    });
  await readGguf(file); // a file that is no model is refused before a byte is copied
  const list = await listModels(dir);
  if (list.some((m) => m.name === wanted)) throw clash(wanted, '');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.adding.${process.pid}.gguf`);
  try {
    const hash = createHash('sha256');
    await pipeline(
      createReadStream(file),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk); // summed as copied: the file is read once
          yield chunk;
        }
      },
      createWriteStream(temp, { mode: 0o600 }),
    );
    const info = await readGguf(temp).catch((e: Failure) => {
      throw new Failure('model', `${file} changed while it was copied (${e.message})`);
    });
    const sha256 = hash.digest('hex');
    const same = list.find((m) => m.sha256 === sha256);
    if (same) return { ...same, already: true }; // the same bytes under another name: one copy, the name it has
    const model = { name: wanted, sha256, bytes: info.bytes, architecture: info.architecture, addedAt: new Date().toISOString() };
    await chmod(temp, 0o444);
    await rename(temp, storedFile(dir, model));
    await writeIndex(dir, [...list, model]);
    return { ...model, already: false };
  } finally {
    await rm(temp, { force: true });
  }
}

/** Removes model `name` from the store: its file and its line. */
export async function removeModel(dir: string, name: string): Promise<StoredModel> {
  const list = await listModels(dir);
  const model = list.find((m) => m.name === name);
  if (!model) throw new NotStored(name, list);
  const rest = list.filter((m) => m !== model);
  await writeIndex(dir, rest);
  if (!rest.some((m) => m.sha256 === model.sha256)) await rm(storedFile(dir, model), { force: true });
  return model;
}

/** A name the store does not hold: for --model and a manifest's default, a Plan error rather than a failure. */
class NotStored extends Failure {
  constructor(name: string, list: StoredModel[]) {
    const names = list.map((m) => m.name);
    super('model', `there is no model named "${name}" in the store`, {
      fix: names.length ? `the store holds ${names.join(', ')} (see "ai-way models list")` : 'add one with "ai-way models add FILE.gguf"',
    });
  }
}

/** A model named with --model: a path (it has a "/" or ends in .gguf) is checked and summed, a name looked up. */
export async function findModel(dir: string, nameOrPath: string): Promise<PlanModel> {
  if (nameOrPath.includes('/') || nameOrPath.toLowerCase().endsWith('.gguf')) {
    const file = path.resolve(nameOrPath);
    const info = await readGguf(file);
    // Podman's --volume takes "SOURCE:TARGET:OPTIONS": a ":" or "," in the source would change what is mounted.
    if (/[:,]/.test(file))
      throw new Failure('model', `${file} has a ":" or "," in its path, which cannot be mounted`, {
        fix: `add it to the store instead: ai-way models add "${file}"`,
      });
    return { name: path.basename(file), file, sha256: await sha256File(file), bytes: info.bytes };
  }
  const list = await listModels(dir);
  const m = list.find((x) => x.name === nameOrPath);
  if (!m) throw new NotStored(nameOrPath, list);
  return { name: m.name, file: storedFile(dir, m), sha256: m.sha256, bytes: m.bytes };
}

/** The model for an appliance: --model if given, else the manifest's default; why none, when one is needed. */
export async function modelFor(dir: string, given: string | undefined, needs: { default: string | null } | null): Promise<ModelFound> {
  const wanted = given ?? needs?.default ?? undefined;
  if (wanted === undefined) return needs ? { missing: 'none was given (--model) and its manifest names no default' } : null;
  try {
    return await findModel(dir, wanted);
  } catch (e) {
    if (!(e instanceof NotStored)) throw e;
    return { missing: given ? `there is no model named "${wanted}" in the store` : `its default model "${wanted}" is not in the store` };
  }
}
