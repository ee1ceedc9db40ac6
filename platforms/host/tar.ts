// A minimal ustar writer and reader for support bundles (regular files and directories only).
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
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
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

function header(p: string, size: number, type: '0' | '2' | '5', mtime: number, mode?: number, link = ''): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const { name, prefix } = splitName(p);
  const put = (s: string, off: number) => h.set(enc.encode(s), off);
  put(name, 0);
  put(octal(mode ?? (type === '0' ? 0o644 : 0o755), 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
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
  put(octal(sum, 7) + ' ', 148);
  return h;
}

/** Packs files (paths relative, '/'-separated) under their parent directories. */
export function packTar(entries: readonly TarEntry[], mtime = 0): Uint8Array {
  const chunks: Uint8Array[] = [];
  const dirs = new Set<string>();
  for (const e of [...entries].sort((x, y) => x.path.localeCompare(y.path))) {
    const parts = e.path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      if (i === parts.length && !e.directory) break;
      const d = parts.slice(0, i).join('/') + '/';
      if (!dirs.has(d)) { dirs.add(d); chunks.push(header(d, 0, '5', mtime, i === parts.length ? e.mode : undefined)); }
    }
    if (e.directory) continue;
    if (e.linkTarget !== undefined) { chunks.push(header(e.path, 0, '2', mtime, 0o777, e.linkTarget)); continue; }
    chunks.push(header(e.path, e.data.length, '0', mtime, e.mode), e.data, new Uint8Array((BLOCK - (e.data.length % BLOCK)) % BLOCK));
  }
  chunks.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.length; }
  return out;
}

const field = (h: Uint8Array, off: number, len: number) => dec.decode(h.subarray(off, off + len)).replace(/\0.*$/s, '');

/** Regular files of a ustar/GNU/pax archive. Throws on a damaged archive. */
export function unpackTar(tar: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let longName: string | null = null;
  let paxPath: string | null = null;
  for (let off = 0; off + BLOCK <= tar.length;) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0 || off + BLOCK + size > tar.length) throw new Error('damaged archive (an entry runs past its end)');
    const type = String.fromCharCode(h[156]!);
    const data = tar.subarray(off + BLOCK, off + BLOCK + size);
    const prefix = field(h, 345, 155);
    const name = longName ?? paxPath ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    if (type === 'L') longName = dec.decode(data).replace(/\0.*$/s, '');
    else if (type === 'x') paxPath = /\d+ path=([^\n]*)\n/.exec(dec.decode(data))?.[1] ?? null;
    else {
      if (type === '0' || type === '\0') entries.push({ path: name, data: data.slice() });
      longName = null;
      paxPath = null;
    }
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
