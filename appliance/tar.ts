// A minimal ustar writer and reader (regular files, folders and links) for support bundles and image
// archives; the reader walks an archive header by header, so an image archive is read in place,
// layers unread. In the bottom layer, so that packaging, the platforms and image recipes share it.
import { sizeText } from './size-text.ts';

const BLOCK = 512;
const enc = new TextEncoder();
const dec = new TextDecoder();

export interface TarEntry {
  path: string;
  data: Uint8Array;
  /** Permission bits; 0o644 for files, 0o755 for directories when absent. */
  mode?: number;
  /** Makes the entry a symbolic link to this target (data is ignored). */
  linkTarget?: string;
  /** A directory entry (data is ignored). */
  directory?: boolean;
  /** Owner and group ids; 0 when absent. */
  uid?: number;
  gid?: number;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function splitName(p: string): { name: string; prefix: string } {
  if (enc.encode(p).length <= 100) return { name: p, prefix: '' };
  for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
    const prefix = p.slice(0, i);
    const name = p.slice(i + 1);
    if (enc.encode(prefix).length <= 155 && enc.encode(name).length <= 100) return { name, prefix };
  }
  throw new Error(`path too long for a bundle archive: ${p}`);
}

function header(p: string, size: number, type: '0' | '2' | '5', mtime: number, mode?: number, link = '', owner?: TarEntry): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const { name, prefix } = splitName(p);
  const put = (s: string, off: number) => h.set(enc.encode(s), off);
  put(name, 0);
  put(octal(mode ?? (type === '0' ? 0o644 : 0o755), 8), 100);
  put(octal(owner?.uid ?? 0, 8), 108);
  put(octal(owner?.gid ?? 0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(mtime, 12), 136);
  put('        ', 148);
  put(type, 156);
  put(link, 157);
  put('ustar\0', 257);
  put('00', 263);
  put(prefix, 345);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${octal(sum, 7)} `, 148);
  return h;
}

// Code unit order, which is byte order for ASCII names: the same archive whatever the locale.
const byPath = (x: TarEntry, y: TarEntry) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

/** Packs files (paths relative, '/'-separated) under their parent directories, in byte order of their paths. */
export function packTar(entries: readonly TarEntry[], mtime = 0): Uint8Array {
  const chunks: Uint8Array[] = [];
  const dirs = new Set<string>();
  for (const e of [...entries].sort(byPath)) {
    const parts = e.path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      if (i === parts.length && !e.directory) break;
      const d = `${parts.slice(0, i).join('/')}/`;
      if (!dirs.has(d)) {
        dirs.add(d);
        const own = i === parts.length ? e : undefined;
        chunks.push(header(d, 0, '5', mtime, own?.mode, '', own));
      }
    }
    if (e.directory) continue;
    if (e.linkTarget !== undefined) {
      chunks.push(header(e.path, 0, '2', mtime, 0o777, e.linkTarget, e));
      continue;
    }
    chunks.push(
      header(e.path, e.data.length, '0', mtime, e.mode, '', e),
      e.data,
      new Uint8Array((BLOCK - (e.data.length % BLOCK)) % BLOCK),
    );
  }
  chunks.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

const field = (h: Uint8Array, off: number, len: number) => dec.decode(h.subarray(off, off + len)).replace(/\0.*$/s, '');

/** One entry of an archive: its path, its type flag, where its data lies, and its metadata. */
export interface TarItem {
  path: string;
  type: string;
  offset: number;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** A link's target (type '1' or '2'). */
  linkTarget: string;
}

/** Reads `length` bytes at `offset` of an archive (fewer past its end). */
export type ReadAt = (offset: number, length: number) => Uint8Array;

// A long name or pax header is a path or two; more is not an archive made for us.
const MAX_EXTENSION_BYTES = 64 * 1024;

/**
 * The entries of a ustar/GNU/pax archive of `size` bytes, read header by header through `read`
 * (the data of an entry is never read here), long names and pax paths applied. Throws on a damaged
 * archive and past `maxEntries` headers.
 */
export function* tarItems(read: ReadAt, size: number, maxEntries: number): Generator<TarItem> {
  let longName: string | null = null;
  let paxPath: string | null = null;
  let headers = 0;
  for (let off = 0; off + BLOCK <= size; ) {
    const h = read(off, BLOCK);
    if (h.length < BLOCK) throw new Error('damaged archive (it ends inside a header)');
    if (h.every((b) => b === 0)) return;
    if (++headers > maxEntries) throw new Error(`the archive has more than ${maxEntries} entries`);
    const length = parseInt(field(h, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(length) || length < 0 || off + BLOCK + length > size)
      throw new Error('damaged archive (an entry runs past its end)');
    const type = String.fromCharCode(h[156]!);
    const prefix = field(h, 345, 155);
    const name = longName ?? paxPath ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    if (type === 'L' || type === 'x') {
      if (length > MAX_EXTENSION_BYTES) throw new Error('damaged archive (an extended header is too long)');
      const text = dec.decode(read(off + BLOCK, length));
      if (type === 'L') longName = text.replace(/\0.*$/s, '');
      else paxPath = /\d+ path=([^\n]*)\n/.exec(text)?.[1] ?? null;
    } else {
      const num = (at: number, len: number) => parseInt(field(h, at, len).trim() || '0', 8);
      yield {
        path: name,
        type,
        offset: off + BLOCK,
        size: length,
        mode: num(100, 8),
        uid: num(108, 8),
        gid: num(116, 8),
        linkTarget: field(h, 157, 100),
      };
      longName = null;
      paxPath = null;
    }
    off += BLOCK + Math.ceil(length / BLOCK) * BLOCK;
  }
}

/** Regular files of an archive in memory, each at most `maxEntryBytes`. Throws on a damaged archive or past the limits. */
export function unpackTar(tar: Uint8Array, limits: { maxEntries: number; maxEntryBytes: number }): TarEntry[] {
  const entries: TarEntry[] = [];
  for (const item of tarItems((offset, length) => tar.subarray(offset, offset + length), tar.length, limits.maxEntries)) {
    if (item.type !== '0' && item.type !== '\0') continue;
    if (item.size > limits.maxEntryBytes)
      throw new Error(`${item.path} inside is larger than the ${sizeText(limits.maxEntryBytes)} an entry may have`);
    entries.push({ path: item.path, data: tar.slice(item.offset, item.offset + item.size) });
  }
  return entries;
}
