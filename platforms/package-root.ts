// The folder ai-way was installed in (where images/ and build/ live), found from this file; or, in
// the single executable, the virtual folder of its assets.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_ROOT, isSingleExecutable } from './embedded.ts';

/** Where what ai-way carries lies: its assets in the single executable, else its folder. */
export const carriedRoot = (): string => (isSingleExecutable() ? EMBEDDED_ROOT : packageRoot());

export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'ai-way') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the ai-way folder (package.json) above the program');
    dir = up;
  }
}
