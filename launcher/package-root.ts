// The folder ai-way was installed in (where images/ and build/ live), found from this file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
