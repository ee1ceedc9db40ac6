// mkdir -p, one level at a time. Not Node's recursive mkdir: where mkdir answers ENOENT under a
// parent that exists (/proc, /sys), that one retries forever at full speed.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Makes `dir` and any missing parents; an existing folder is fine. Fails with the first error that is final. */
export async function makeFolders(dir: string, mode?: number): Promise<void> {
  try {
    await mkdir(dir, { mode });
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(dir)).isDirectory()) return;
    if (code !== 'ENOENT' || path.dirname(dir) === dir) throw e;
  }
  await makeFolders(path.dirname(dir), mode);
  // Once only: an ENOENT now, with the parent in place, is final.
  try {
    await mkdir(dir, { mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw e;
  }
}
