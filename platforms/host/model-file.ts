// A model file the person names, opened as every host file is (a regular file, bounded) and its
// GGUF header checked; its sum for the store and the Plan. The file is read once, start to end.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { MAX_MODEL_BYTES, parseGguf, type GgufInfo } from '../../appliance/gguf.ts';
import { Failure } from '../../appliance/failures.ts';
import { ReadRefused, withRegularFile } from '../bounded-read.ts';

/** The header of GGUF file `file`; a Failure "model" in one line for a file that is none, or cannot be read. */
export async function readGguf(file: string): Promise<GgufInfo> {
  try {
    return await withRegularFile(file, MAX_MODEL_BYTES, (f) => parseGguf(file, f));
  } catch (e) {
    throw modelFailure(file, e);
  }
}

/** A reading error of model file `file` as a Failure "model". */
export function modelFailure(file: string, e: unknown): unknown {
  if (e instanceof Failure) return e;
  if (e instanceof ReadRefused) return new Failure('model', e.message);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new Failure('model', `${file} does not exist`);
  if (code === 'EACCES') return new Failure('model', `${file} cannot be read (permission denied)`);
  return e;
}

/** The sha256 of `file`, hex. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
