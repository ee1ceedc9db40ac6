// The initramfs format Linux unpacks: a "newc" cpio archive. Written deterministically: entries in
// byte order of their paths, inode numbers counted from 1, one mtime for all, no compression (the
// kernel unpacks it as fast as a compressed one under emulation, and no compressor's version can
// change its bytes).
import type { TarEntry } from '../../appliance/tar.ts';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const enc = new TextEncoder();

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const pad4 = (n: number) => (4 - (n % 4)) % 4;

function record(ino: number, mode: number, e: Pick<TarEntry, 'uid' | 'gid'>, name: string, data: Uint8Array, mtime: number): Uint8Array[] {
  const nameBytes = enc.encode(`${name}\0`);
  const nlink = (mode & S_IFDIR) === S_IFDIR ? 2 : 1;
  const fields = [ino, mode, e.uid ?? 0, e.gid ?? 0, nlink, mtime, data.length, 0, 0, 0, 0, nameBytes.length, 0];
  const head = enc.encode(`070701${fields.map(hex8).join('')}`);
  return [head, nameBytes, new Uint8Array(pad4(head.length + nameBytes.length)), data, new Uint8Array(pad4(data.length))];
}

/** A newc archive of the entries (paths relative, '/'-separated; each parent listed before its children by the sort). */
export function packCpio(entries: readonly TarEntry[], mtime = 0): Uint8Array {
  const sorted = [...entries].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const chunks: Uint8Array[] = [];
  sorted.forEach((e, i) => {
    const perm = e.mode ?? (e.directory ? 0o755 : 0o644);
    if (e.directory) chunks.push(...record(i + 1, S_IFDIR | perm, e, e.path, new Uint8Array(), mtime));
    else if (e.linkTarget !== undefined) chunks.push(...record(i + 1, S_IFLNK | 0o777, e, e.path, enc.encode(e.linkTarget), mtime));
    else chunks.push(...record(i + 1, S_IFREG | perm, e, e.path, e.data, mtime));
  });
  chunks.push(...record(0, 0, {}, 'TRAILER!!!', new Uint8Array(), 0));
  return Buffer.concat(chunks);
}
