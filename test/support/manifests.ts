// Manifests for the manifest tests: the shipped ones, and a small valid one that each error case
// changes in one place.
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ManifestError, parseManifest } from '../../appliance/manifest.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SELFTEST = path.join(ROOT, 'images/selftest/appliance.toml');
export const AI_WAY = path.join(ROOT, 'images/ai-way/appliance.toml');
export const SHIPPED = [readFileSync(SELFTEST, 'utf8'), readFileSync(AI_WAY, 'utf8')];
export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

// A small valid manifest; the error cases below change one thing in it. Line numbers:
//  1 name, 4 [images.alpine], 5 x86_64, 7 [app], 8 command, 9 port, 11 [workspace], 12 size,
// 14 [resources], 15 memory, 16 cpus, 17 pids, 19 [health], 20 path, 21 timeout.
export const VALID = `name = "demo"
version = "1.0.0"

[images.alpine]
x86_64 = "localhost/demo:1.0.0"

[app]
command = ["/usr/bin/demo"]
port = 8080

[workspace]
size = "64MiB"

[resources]
memory = "256MiB"
cpus = 1
pids = 64

[health]
path = "/health"
timeout = "10s"
`;

export const FILE = 'demo/appliance.toml';

export function error(run: () => unknown): ManifestError {
  try {
    run();
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error('expected a ManifestError');
}

export const failure = (text: string) => error(() => parseManifest(text, FILE));
export const edit = (from: string, to: string) => {
  expect(VALID).toContain(from);
  return VALID.replace(from, to);
};
