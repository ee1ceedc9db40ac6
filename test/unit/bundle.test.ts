import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { BundleError, MAX_BUNDLE_BYTES, MAX_BUNDLE_ENTRIES, readBundle, writeBundle } from '../../platforms/host/bundle.ts';
import { MAX_ARTIFACT_BYTES } from '../../platforms/host/artifacts.ts';
import { packTar, unpackTar } from '../../appliance/tar.ts';
import { redactText } from '../../platforms/host/redact.ts';
import { analyzeHost } from '../../platforms/host/analyze.ts';
import { artifacts, fixture } from '../support/artifacts.ts';
import { asUtf16le } from '../contract/fixtures.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ai-way-test-'));

const sample = () =>
  artifacts({
    host: { release: '6.1.0-13-amd64', env: { WSL_DISTRO_NAME: 'Ubuntu' } },
    devices: ['/dev/nvidia0', '/dev/nvidiactl'],
    files: { '/proc/driver/nvidia/version': fixture('proc-driver-nvidia-version', 'open-565-57-01-x86_64-ubuntu2404') },
    commands: {
      'nvidia-smi-L': fixture('nvidia-smi-L', 'dual-a10'),
      'wsl-list-verbose': { out: asUtf16le(new TextDecoder().decode(fixture('wsl-list-verbose', 'en-single-ubuntu'))), exit: 0 },
      'nvidia-smi': { out: '', err: fixture('nvidia-smi', 'failed-no-driver'), exit: 9 },
      rocminfo: { out: '', timeoutMs: 5000 },
    },
  });

describe('bundle directory and archive', () => {
  it('round-trips every byte, exit code and time-out, as a folder and as .tar.gz', async () => {
    const a = sample();
    const dir = path.join(tmp(), 'bundle');
    const { archive } = await writeBundle(dir, a);
    for (const from of [dir, archive]) {
      const back = await readBundle(from);
      expect(back.host).toEqual(a.host);
      expect(back.devices).toEqual(a.devices);
      expect([...back.files.keys()]).toEqual([...a.files.keys()]);
      for (const [name, rec] of a.commands) {
        const got = back.commands.get(name)!;
        expect(Buffer.from(got.out).equals(Buffer.from(rec.out))).toBe(true);
        expect(got.exit).toBe(rec.exit);
        expect(got.timeoutMs).toBe(rec.timeoutMs);
      }
      expect(analyzeHost(back)).toEqual(analyzeHost(a));
    }
    expect(readFileSync(path.join(dir, 'commands', 'wsl-list-verbose.out'))[1]).toBe(0); // UTF-16LE kept
    expect(readFileSync(path.join(dir, 'commands', 'nvidia-smi.exit'), 'utf8')).toBe('9\n');
  });

  it('refuses to write into a folder that has files', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'x'), 'keep me');
    await expect(writeBundle(dir, sample())).rejects.toMatchObject({ code: 'output', exitCode: 3 });
    expect(readFileSync(path.join(dir, 'x'), 'utf8')).toBe('keep me');
  });

  it('names bad input precisely: no bundle, no host.json, bad JSON, a bad value, not an archive', async () => {
    const dir = tmp();
    await expect(readBundle(path.join(dir, 'nope'))).rejects.toThrow(/no bundle at/);
    mkdirSync(path.join(dir, 'b'));
    await expect(readBundle(path.join(dir, 'b'))).rejects.toThrow(/no host.json/);
    writeFileSync(path.join(dir, 'b', 'host.json'), '{"os": "linux", "arch": ');
    await expect(readBundle(path.join(dir, 'b'))).rejects.toThrow(/host\.json: not valid JSON/);
    writeFileSync(path.join(dir, 'b', 'host.json'), '{"os": "beos", "arch": "x64"}');
    await expect(readBundle(path.join(dir, 'b'))).rejects.toThrow(/host\.json: os: /);
    writeFileSync(path.join(dir, 'junk.tar.gz'), 'not gzip');
    await expect(readBundle(path.join(dir, 'junk.tar.gz'))).rejects.toThrow(BundleError);
  });

  it('ignores entries that climb out of the bundle', async () => {
    const enc = new TextEncoder();
    const file = path.join(tmp(), 'evil.tar.gz');
    writeFileSync(
      file,
      gzipSync(
        packTar([
          { path: 'b/host.json', data: enc.encode('{"os":"linux","arch":"x64"}') },
          { path: 'b/files/../../etc/passwd', data: enc.encode('x') },
        ]),
      ),
    );
    const a = await readBundle(file);
    expect([...a.files.keys()]).toEqual([]);
  });
});

describe('what is not a bundle is refused at once, in one line, holding no more than a bundle', () => {
  const enc = new TextEncoder();
  const HOST = enc.encode('{"os":"linux","arch":"x64"}');
  const refusal = async (location: string) => {
    const e = await readBundle(location).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(BundleError);
    expect((e as BundleError).oneLine()).not.toContain('\n');
    return (e as BundleError).oneLine();
  };
  /** A file of `bytes` that takes no room on disk. */
  const sparse = (file: string, bytes: number) => {
    writeFileSync(file, '');
    truncateSync(file, bytes);
    return file;
  };

  it('a named pipe: refused without waiting for a writer', async () => {
    const fifo = path.join(tmp(), 'bundle.tar.gz');
    execFileSync('mkfifo', [fifo]);
    expect(await refusal(fifo)).toMatch(/bundle\.tar\.gz is a named pipe \(FIFO\), not a regular file; give the folder/);
  });

  it('a character device', async () => {
    expect(await refusal('/dev/zero')).toBe(
      '/dev/zero is a character device, not a regular file; give the folder written by "ai-way bundle collect" or its .tar.gz',
    );
  });

  it('an archive larger than a bundle may be (8 GiB, sparse)', async () => {
    expect(await refusal(sparse(path.join(tmp(), 'b.tar.gz'), 8 * 1024 ** 3))).toMatch(/b\.tar\.gz is larger than the 32 MiB allowed; /);
  });

  it('a gzip bomb: decompression stops at the cap', async () => {
    const file = path.join(tmp(), 'bomb.tar.gz');
    writeFileSync(
      file,
      gzipSync(
        packTar([
          { path: 'b/host.json', data: HOST },
          { path: 'b/files/zero', data: new Uint8Array(MAX_BUNDLE_BYTES) },
        ]),
      ),
    );
    expect(statSync(file).size).toBeLessThan(MAX_BUNDLE_BYTES / 100);
    expect(await refusal(file)).toMatch(/bomb\.tar\.gz is larger than the 32 MiB allowed once decompressed; /);
  });

  it('a file inside larger than a recorded file may be: in a folder (sparse) and in an archive', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'host.json'), HOST);
    mkdirSync(path.join(dir, 'files'));
    sparse(path.join(dir, 'files', 'big'), MAX_ARTIFACT_BYTES + 1);
    expect(await refusal(dir)).toMatch(/files\/big is larger than the 8 MiB allowed; /);
    const file = path.join(tmp(), 'big.tar.gz');
    writeFileSync(
      file,
      gzipSync(
        packTar([
          { path: 'b/host.json', data: HOST },
          { path: 'b/files/big', data: new Uint8Array(MAX_ARTIFACT_BYTES + 1) },
        ]),
      ),
    );
    expect(await refusal(file)).toMatch(/big\.tar\.gz: b\/files\/big inside is larger than the 8 MiB an entry may have/);
  });

  it('more files than a bundle holds, and more than it holds together', async () => {
    const many = tmp();
    writeFileSync(path.join(many, 'host.json'), HOST);
    mkdirSync(path.join(many, 'files'));
    for (let i = 0; i < MAX_BUNDLE_ENTRIES; i++) writeFileSync(path.join(many, 'files', `f${i}`), '');
    expect(await refusal(many)).toMatch(/holds more than the 4096 files and folders a bundle may have/);
    const heavy = tmp();
    writeFileSync(path.join(heavy, 'host.json'), HOST);
    mkdirSync(path.join(heavy, 'files'));
    for (let i = 0; i <= MAX_BUNDLE_BYTES / MAX_ARTIFACT_BYTES; i++) sparse(path.join(heavy, 'files', `f${i}`), MAX_ARTIFACT_BYTES);
    expect(await refusal(heavy)).toMatch(/holds more than the 32 MiB a bundle may have/);
  });
});

describe('tar', () => {
  it('round-trips arbitrary files, long paths included', () => {
    const entry = fc.record({
      path: fc
        .array(
          fc.stringMatching(/^[a-z0-9._-]{1,40}$/).filter((s) => s !== '.' && s !== '..'),
          { minLength: 1, maxLength: 6 },
        )
        .map((p) => p.join('/')),
      data: fc.uint8Array({ maxLength: 1500 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e.path, maxLength: 8 }), (entries) => {
        const files = entries.filter((e) => !entries.some((o) => o.path.startsWith(`${e.path}/`)));
        const back = unpackTar(packTar(files), { maxEntries: 100, maxEntryBytes: 1500 });
        expect(back.map((e) => [e.path, Buffer.from(e.data).toString('hex')]).sort()).toEqual(
          files.map((e) => [e.path, Buffer.from(e.data).toString('hex')]).sort(),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a truncated archive with a clear error', () => {
    const t = packTar([{ path: 'a', data: new Uint8Array(2000) }]);
    expect(() => unpackTar(t.subarray(0, 1024), { maxEntries: 10, maxEntryBytes: 2000 })).toThrow(/damaged archive/);
  });
});

describe('privacy', () => {
  const secrets = { username: 'alice', homedir: '/home/alice', hostname: 'alice-laptop' };
  it('hides the user, home folder, host name and serials, and keeps words that contain them', () => {
    const text =
      '"graphRoot": "/home/alice/.local/share/containers/storage", "hostname": "alice-laptop", "rootless": true, ' +
      'user alice2 /var/alice/x <serial>1324321000123</serial>';
    const out = redactText(text, secrets);
    expect(out).not.toMatch(/\/home\/alice|alice-laptop|1324321000123|\/alice\//);
    expect(out).toContain('"rootless": true');
    expect(out).toContain('alice2');
  });

  it('hides network addresses only where asked, so versions stay intact', () => {
    expect(redactText('IP address(es) [01]: 192.168.1.23 fe80::1 00-15-5D-01-02-03', secrets, true)).toBe(
      'IP address(es) [01]: <ip> <ip> <mac>',
    );
    expect(redactText('bus 0000:01:00.0 at 12:30:45 2001:db8:0:0:1:0:0:1', secrets, true)).toBe('bus 0000:01:00.0 at 12:30:45 <ip>');
    expect(redactText('WSL version: 2.0.9.0', secrets)).toBe('WSL version: 2.0.9.0');
  });

  it('a written bundle holds no environment dump and no private names', async () => {
    // podman's documented `podman info` of its maintainer's machine: his home folder and host name.
    const a = artifacts({ commands: { 'podman-info-json': fixture('podman-info-json', 'docs-example-rootless-4-0-0-fedora34') } });
    const dir = path.join(tmp(), 'b');
    await writeBundle(dir, a, { username: 'dwalsh', homedir: '/home/dwalsh', hostname: 'localhost.localdomain' });
    const all = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((p) => statSync(path.join(dir, p)).isFile())
      .map((p) => readFileSync(path.join(dir, p), 'utf8'))
      .join('\n');
    expect(all).not.toMatch(/dwalsh|localhost\.localdomain/);
    expect(all).toContain('"graphRoot": "~/.local/share/containers/storage"');
    expect(all).not.toMatch(/"PATH"|"HOME"/);
  });
});
