// A planted fault, the tests' stand-in for a bug: a file for `node --require` that, once the
// launcher has written `trigger` to stdout (the session is ready), raises an error nobody catches.
import { chmodSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function plantedFault(kind: 'exception' | 'rejection', trigger: string): string {
  const file = path.join(os.tmpdir(), `planted-${kind}.cjs`);
  writeFileSync(
    file,
    `const write = process.stdout.write;
let planted = false;
process.stdout.write = function (chunk, ...rest) {
  if (!planted && String(chunk).includes(${JSON.stringify(trigger)})) {
    planted = true;
    setTimeout(() => { ${kind === 'exception' ? "throw new Error('planted fault')" : "Promise.reject(new Error('planted fault'))"}; }, 100);
  }
  return write.call(this, chunk, ...rest);
};
`,
  );
  chmodSync(file, 0o644); // the rootless test user runs it
  return file;
}
