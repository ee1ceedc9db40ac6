// The images this ai-way carries (appliance/guest-images.ts), read from its folder: a checkout's
// build/, or the single executable's assets. A guest's files handed to a program that needs a real
// file (QEMU's -kernel) come from the checkout as they are, or, out of the single executable, from
// a content-addressed copy in the user's cache folder (<cache>/ai-way/images/<sha256>/<name>).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Failure } from '../appliance/failures.ts';
import { CARRIED_IMAGES_FILE, type CarriedFile, type CarriedImages, carriedImagesSchema } from '../appliance/guest-images.ts';
import { carriedAsset, EMBEDDED_ROOT, readCarried } from './embedded.ts';

// The list names a few dozen files; a bigger file is the wrong file.
const MAX_LIST_BYTES = 4 * 1024 * 1024;
// A guest's kernel and initramfs are tens of MiB; an appliance's image may be GiBs and is not copied here.
const MAX_CARRIED_FILE_BYTES = 1024 ** 3;

/** The list of what the ai-way in `root` (its folder, or EMBEDDED_ROOT) carries. */
export async function loadCarriedImages(root: string): Promise<CarriedImages> {
  const file = path.join(root, CARRIED_IMAGES_FILE);
  let text: string;
  try {
    text = new TextDecoder().decode(await readCarried(file, MAX_LIST_BYTES));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(e as Error).message})`;
    throw new Failure('image', `this ai-way cannot say what images it carries: ${file} ${why}`);
  }
  let parsed: ReturnType<typeof carriedImagesSchema.safeParse>;
  try {
    parsed = carriedImagesSchema.safeParse(JSON.parse(text));
  } catch (e) {
    throw new Failure('image', `${file} is damaged (${(e as Error).message})`);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Failure('image', `${file} is damaged (${issue.path.join('.') || 'the whole file'}: ${issue.message})`);
  }
  return parsed.data;
}

/** The user's cache folder: what carriedFilePath copies out of the single executable goes below it. */
export const userCache = (): string => process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');

/**
 * A real file holding a carried file's bytes: in a checkout, the file itself; out of the single
 * executable, its copy in `cache`, written once (checked against its sum) and found again by it.
 */
export function carriedFilePath(root: string, f: CarriedFile, cache: string): string {
  const at = path.join(root, f.path);
  if (root !== EMBEDDED_ROOT) return at;
  const copy = path.join(cache, 'ai-way', 'images', f.sha256, path.basename(f.path));
  const sum = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  if (existsSync(copy) && sum(readFileSync(copy)) === f.sha256) return copy;
  const bytes = carriedAsset(at, MAX_CARRIED_FILE_BYTES);
  if (!bytes || sum(bytes) !== f.sha256) throw new Failure('image', `${at} inside this ai-way does not match its sum`);
  mkdirSync(path.dirname(copy), { recursive: true, mode: 0o700 });
  const temp = `${copy}.${process.pid}.tmp`;
  writeFileSync(temp, bytes, { mode: 0o600 });
  renameSync(temp, copy);
  return copy;
}

/** The carried images' list, read once on first use (an adapter asks for it at each prepare). */
export function carriedOnce(root: string): () => Promise<CarriedImages> {
  let carried: Promise<CarriedImages> | null = null;
  return () => (carried ??= loadCarriedImages(root));
}
