// The archive writers and readers a guest is built with: tar (owners, locale-free order), the
// initramfs's cpio (read back by busybox's own cpio), root filesystem trees, and OCI archives
// read down to one architecture's root, digests checked and whiteouts applied.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packCpio } from '../../packaging/guest/cpio.ts';
import { ociRootTree } from '../../packaging/guest/oci-tree.ts';
import { overlay, treeFromTar, under, withParents } from '../../packaging/guest/tree.ts';
import { ociArchive } from '../../packaging/oci-image.ts';
import { packTar, type TarEntry, tarItems } from '../../appliance/tar.ts';

const enc = new TextEncoder();
const file = (p: string, text: string, more: Partial<TarEntry> = {}): TarEntry => ({ path: p, data: enc.encode(text), ...more });
const dir = (p: string, mode = 0o755): TarEntry => ({ path: p, data: new Uint8Array(), directory: true, mode });
const items = (tar: Uint8Array) => [...tarItems((o, n) => tar.subarray(o, o + n), tar.length, 1000)];
const BUSYBOX = '/bin/busybox';

describe('tar', () => {
  it('orders entries by their bytes, whatever the locale would say', () => {
    const tar = packTar([file('b', ''), file('B', ''), file('a', ''), file('a-b', ''), file('a/c', '')]);
    expect(items(tar).map((i) => i.path)).toEqual(['B', 'a', 'a-b', 'a/', 'a/c', 'b']);
  });

  it('keeps owners, modes and link targets, and reads them back', () => {
    const tar = packTar([
      file('etc/shadow', 'x', { mode: 0o640, gid: 42 }),
      { path: 'bin/sh', data: new Uint8Array(), linkTarget: '/bin/busybox' },
    ]);
    const byPath = Object.fromEntries(items(tar).map((i) => [i.path, i]));
    expect(byPath['etc/shadow']).toMatchObject({ mode: 0o640, uid: 0, gid: 42, type: '0' });
    expect(byPath['bin/sh']).toMatchObject({ type: '2', linkTarget: '/bin/busybox' });
  });
});

describe.skipIf(!statSync(BUSYBOX, { throwIfNoEntry: false }))('cpio (read back by busybox cpio)', () => {
  const entries: TarEntry[] = [
    dir('etc'),
    file('etc/shadow', 'root:*:0:0', { mode: 0o640, gid: 42 }),
    dir('tmp', 0o1777),
    file('init', '#!/bin/sh\n', { mode: 0o755 }),
    { path: 'bin', data: new Uint8Array(), directory: true },
    { path: 'bin/sh', data: new Uint8Array(), linkTarget: '/bin/busybox' },
    file('odd name', 'abc'),
  ];
  const archive = packCpio(entries);

  it('lists every entry, parents first, with its mode and owner', () => {
    const listing = execFileSync(BUSYBOX, ['cpio', '-tv'], { input: archive, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    const lines = listing.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(5).join(' '))).toEqual([
      'bin',
      'bin/sh -> /bin/busybox',
      'etc',
      'etc/shadow',
      'init',
      'odd name',
      'tmp',
    ]);
    expect(lines.find((l) => l.endsWith('etc/shadow'))).toMatch(/^-rw-r----- 0\/42 /);
    expect(lines.find((l) => l.endsWith(' tmp'))).toMatch(/^drwxrwxrwt /);
  });

  it('extracts to the same files', () => {
    const to = mkdtempSync(path.join(os.tmpdir(), 'cpio-'));
    execFileSync(BUSYBOX, ['cpio', '-id'], { input: archive, cwd: to, stdio: ['pipe', 'ignore', 'ignore'] });
    expect(readFileSync(path.join(to, 'etc/shadow'), 'utf8')).toBe('root:*:0:0');
    expect(readFileSync(path.join(to, 'odd name'), 'utf8')).toBe('abc');
    expect(readlinkSync(path.join(to, 'bin/sh'))).toBe('/bin/busybox');
    expect(statSync(path.join(to, 'init')).mode & 0o777).toBe(0o755);
  });

  it('is the same bytes for the same entries in any order', () => {
    expect(Buffer.from(packCpio([...entries].reverse())).equals(archive)).toBe(true);
  });
});

describe('trees', () => {
  it('reads a tar: "./" paths, owners, and a hard link as a copy', () => {
    // GNU tar writes hard links (type 1) and "./" prefixes; build one with it.
    const src = mkdtempSync(path.join(os.tmpdir(), 'tree-'));
    writeFileSync(path.join(src, 'a'), 'same');
    execFileSync('ln', [path.join(src, 'a'), path.join(src, 'b')]);
    const tar = execFileSync('tar', ['-C', src, '--owner=0', '--group=42', '-cf', '-', '.']);
    const tree = treeFromTar(tar, 'test');
    const b = tree.find((e) => e.path === 'b')!;
    expect(new TextDecoder().decode(b.data)).toBe('same');
    expect(b.gid).toBe(42);
    expect(tree.some((e) => e.path === '' || e.path.startsWith('.'))).toBe(false);
  });

  it('overlays: later wins, and a folder replaced by a file takes its contents along', () => {
    const merged = overlay([dir('x'), file('x/y', '1'), file('z', 'old')], [file('z', 'new'), file('x', 'now a file')]);
    expect(merged.map((e) => e.path).sort()).toEqual(['x', 'z']);
    expect(new TextDecoder().decode(merged.find((e) => e.path === 'z')!.data)).toBe('new');
  });

  it('moves a tree under a folder and lists the parents it lacks', () => {
    const moved = withParents(under('appliance', [file('www/cgi-bin/ask', '')]));
    expect(moved.map((e) => e.path).sort()).toEqual(['appliance', 'appliance/www', 'appliance/www/cgi-bin', 'appliance/www/cgi-bin/ask']);
  });
});

describe('OCI archives', () => {
  const image = ociArchive([file('bin/app', 'v1', { mode: 0o755 }), dir('data'), file('data/keep', 'k')], {
    ref: 'localhost/test:1',
    arch: 'amd64',
    entrypoint: ['/bin/app'],
  });

  it("reads the root of the archive's image", () => {
    const tree = ociRootTree(image, 'x86_64', 'test image');
    expect(tree.map((e) => e.path).sort()).toEqual(['bin', 'bin/app', 'data', 'data/keep']);
  });

  it('refuses another architecture, and a blob that does not match its digest', () => {
    expect(() => ociRootTree(image, 'aarch64', 'test image')).toThrow('test image: the image is for amd64, not arm64');
    const broken = Uint8Array.from(image);
    const layer = items(image).find((i) => i.path.startsWith('blobs/') && i.size > 2000)!;
    broken[layer.offset + 600]! ^= 1;
    expect(() => ociRootTree(broken, 'x86_64', 'test image')).toThrow(/test image: the blob sha256:[0-9a-f]{64} does not match its digest/);
  });

  it('follows a pinned index to the architecture, applies layers in order with their whiteouts', () => {
    const archive = twoLayerArchive();
    const tree = ociRootTree(archive.bytes, 'aarch64', 'pinned', archive.index);
    expect(tree.map((e) => e.path).sort()).toEqual(['etc', 'etc/new', 'opt', 'usr', 'usr/bin', 'usr/bin/kept', 'usr/lib']);
    expect(() => ociRootTree(archive.bytes, 'x86_64', 'pinned', archive.index)).toThrow('pinned: no image for linux/amd64');
  });
});

/** An image index (arm64 only) over a manifest of two layers, the second gzip-compressed with whiteouts. */
function twoLayerArchive(): { bytes: Uint8Array; index: string } {
  const blobs: TarEntry[] = [];
  const blob = (data: Uint8Array) => {
    const hex = createHash('sha256').update(data).digest('hex');
    blobs.push({ path: `blobs/sha256/${hex}`, data });
    return `sha256:${hex}`;
  };
  const json = (o: unknown) => enc.encode(JSON.stringify(o));
  const lower = packTar([file('etc/old', ''), file('opt/gone/x', ''), file('usr/bin/kept', ''), file('usr/lib/hidden', '')]);
  const upper = packTar([file('etc/new', ''), file('etc/.wh.old', ''), file('.wh.opt', ''), dir('opt'), file('usr/lib/.wh..wh..opq', '')]);
  const gzip = execFileSync('gzip', ['-n'], { input: upper });
  const config = blob(json({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layers = [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: blob(lower) },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob(gzip) },
  ];
  const manifest = blob(json({ schemaVersion: 2, config: { digest: config }, layers }));
  const index = blob(json({ schemaVersion: 2, manifests: [{ digest: manifest, platform: { architecture: 'arm64', os: 'linux' } }] }));
  return { bytes: packTar([...blobs, file('oci-layout', '{"imageLayoutVersion":"1.0.0"}')]), index };
}
