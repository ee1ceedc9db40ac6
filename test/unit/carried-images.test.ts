// The files a guest boots from, as a program needs them (a real file for QEMU's -kernel): from a
// checkout as they are; out of the single executable, a copy in the user's cache folder named by
// its sum, written once and checked each time.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CarriedFile } from '../../appliance/guest-images.ts';
import { carriedFilePath } from '../../platforms/carried-images.ts';
import { EMBEDDED_ROOT } from '../../platforms/embedded.ts';

const bytes = new TextEncoder().encode('a kernel, as far as this test cares');
const file: CarriedFile = {
  role: 'kernel',
  path: 'build/guests/k/selftest-alpine-x86_64.vmlinuz',
  bytes: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'),
};
const global = globalThis as { __aiWaySea?: unknown };
let reads = 0;

/** The single executable's asset interface (packaging/sea-entry.cjs), holding `assets`. */
function singleExecutable(assets: Record<string, Uint8Array>) {
  global.__aiWaySea = {
    getAsset: (key: string) => {
      reads++;
      if (!assets[key]) throw new Error('no such asset');
      return assets[key].slice().buffer;
    },
    loadUi: () => Promise.resolve(null),
  };
}

afterEach(() => {
  delete global.__aiWaySea;
  reads = 0;
});

describe('a carried file as a real file', () => {
  it('is the file itself in a checkout', () => {
    expect(carriedFilePath('/opt/ai-way', file, '/nowhere')).toBe('/opt/ai-way/build/guests/k/selftest-alpine-x86_64.vmlinuz');
  });

  it('is copied once out of the single executable into the cache, under its sum', () => {
    singleExecutable({ [file.path]: bytes });
    const cache = mkdtempSync(path.join(os.tmpdir(), 'cache-'));
    const copy = carriedFilePath(EMBEDDED_ROOT, file, cache);
    expect(copy).toBe(path.join(cache, 'ai-way', 'images', file.sha256, 'selftest-alpine-x86_64.vmlinuz'));
    expect(readFileSync(copy)).toEqual(Buffer.from(bytes));
    expect(carriedFilePath(EMBEDDED_ROOT, file, cache)).toBe(copy);
    expect(reads).toBe(1);
  });

  it('is copied again when the copy in the cache was changed', () => {
    singleExecutable({ [file.path]: bytes });
    const cache = mkdtempSync(path.join(os.tmpdir(), 'cache-'));
    const copy = carriedFilePath(EMBEDDED_ROOT, file, cache);
    writeFileSync(copy, 'tampered');
    expect(readFileSync(carriedFilePath(EMBEDDED_ROOT, file, cache))).toEqual(Buffer.from(bytes));
  });

  it('is refused when what the executable carries does not match its sum', () => {
    singleExecutable({ [file.path]: new TextEncoder().encode('something else') });
    const cache = mkdtempSync(path.join(os.tmpdir(), 'cache-'));
    expect(() => carriedFilePath(EMBEDDED_ROOT, file, cache)).toThrow(
      `${EMBEDDED_ROOT}/${file.path} inside this ai-way does not match its sum`,
    );
  });
});
