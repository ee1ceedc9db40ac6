// The host's files, read and made: a read is a regular file within its caller's cap, whether on
// disk or carried inside the single executable; folders are made without looping where they cannot be.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ReadRefused, readRegularFile } from '../../platforms/bounded-read.ts';
import { EMBEDDED_ROOT, readCarried } from '../../platforms/embedded.ts';
import { makeFolders } from '../../platforms/make-folders.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ai-way-files-'));
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as ReadRefused,
  );

describe('readRegularFile', () => {
  it('reads to the end, whatever the size says: /proc files say 0', async () => {
    expect(statSync('/proc/self/status').size).toBe(0);
    expect(new TextDecoder().decode(await readRegularFile('/proc/self/status', 64 * 1024))).toMatch(/^Name:/);
    expect(await refusal(readRegularFile('/proc/self/status', 64))).toMatchObject({
      code: 'EFBIG',
      message: '/proc/self/status is larger than the 64 bytes allowed',
    });
  });

  it('a file of exactly the cap is read; one byte more is refused', async () => {
    const file = path.join(tmp(), 'f');
    writeFileSync(file, 'x'.repeat(1024));
    expect((await readRegularFile(file, 1024)).length).toBe(1024);
    expect(await refusal(readRegularFile(file, 1023))).toMatchObject({ code: 'EFBIG', what: 'larger than the 1023 bytes allowed' });
  });

  it('a folder is refused as one', async () => {
    expect(await refusal(readRegularFile(os.tmpdir(), 1024))).toMatchObject({ code: 'ENOTREG', what: 'a folder, not a regular file' });
  });
});

describe('a file carried inside the single executable obeys the same cap', () => {
  // The entry (packaging/sea-entry.cjs) hands the program its assets; here, two of known sizes.
  const assets = new Map([
    ['images/a/appliance.toml', new ArrayBuffer(1024)],
    ['images/b/appliance.toml', new ArrayBuffer(1025)],
  ]);
  const globals = globalThis as { __aiWaySea?: unknown };
  beforeEach(() => {
    globals.__aiWaySea = {
      getAsset: (key: string) => {
        if (!assets.has(key)) throw new Error('no asset');
        return assets.get(key);
      },
      loadUi: async () => null,
    };
  });
  afterEach(() => {
    delete globals.__aiWaySea;
  });

  it('up to the cap it is read; past it, refused; absent, ENOENT', async () => {
    expect((await readCarried(`${EMBEDDED_ROOT}/images/a/appliance.toml`, 1024)).length).toBe(1024);
    expect(await refusal(readCarried(`${EMBEDDED_ROOT}/images/b/appliance.toml`, 1024))).toMatchObject({ code: 'EFBIG' });
    expect(await refusal(readCarried(`${EMBEDDED_ROOT}/images/c/appliance.toml`, 1024))).toMatchObject({ code: 'ENOENT' });
  });
});

describe('makeFolders', () => {
  it('makes every missing level, and takes a folder that exists', async () => {
    const dir = path.join(tmp(), 'a', 'b', 'c');
    await makeFolders(dir);
    await makeFolders(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('fails at once where no folder can be made: under /proc, /sys, or a file', async () => {
    await expect(makeFolders('/proc/nope/deeper')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(makeFolders('/sys/nope')).rejects.toMatchObject({ code: expect.stringMatching(/^(EPERM|EACCES|EROFS|ENOENT)$/) });
    const file = path.join(tmp(), 'file');
    writeFileSync(file, '');
    await expect(makeFolders(path.join(file, 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeFolders(file)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(existsSync(path.join(file, 'sub'))).toBe(false);
  });
});
