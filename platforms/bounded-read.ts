// Every file ai-way reads from the host is read here: a regular file only, and never more than its
// caller allows. A folder, a FIFO, a device or a socket is refused at once, before it is opened
// when a look at it tells, and again from the opened descriptor (the name may have changed hands
// in between). The open is non-blocking, so a FIFO cannot hold it; /dev/zero, a named pipe or a
// gigabyte "manifest" cost nothing. Decompression has its cap too.
import { constants, readSync, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { sizeText } from '../appliance/size-text.ts';

/** A file refused before its content counted: not a regular file, or larger than allowed. */
export class ReadRefused extends Error {
  /** `what` completes "<file> is ...". */
  constructor(
    readonly code: 'ENOTREG' | 'EFBIG',
    readonly file: string,
    readonly what: string,
  ) {
    super(`${file} is ${what}`);
  }

  static tooBig(file: string, maxBytes: number, when = ''): ReadRefused {
    return new ReadRefused('EFBIG', file, `larger than the ${sizeText(maxBytes)} allowed${when}`);
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

function refuseUnlessFitting(file: string, st: Stats, maxBytes: number): void {
  if (!st.isFile()) throw new ReadRefused('ENOTREG', file, `${kindOf(st)}, not a regular file`);
  if (st.size > maxBytes) throw ReadRefused.tooBig(file, maxBytes);
}

// O_NONBLOCK: a FIFO with no writer would hold the open forever. O_NOCTTY: a terminal never becomes
// ours. Windows has neither, and its opens do not wait.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** A regular file opened for reading, at most its caller's cap long. */
export interface BoundedFile {
  /** Its size when opened. */
  size: number;
  /** Up to `length` bytes at `offset` (fewer at the end): for formats read in place, like a tar's headers. */
  readAt(offset: number, length: number): Uint8Array;
  /** Everything up to its end: the size is not trusted (/proc files say 0; a file may grow meanwhile). */
  readAll(): Promise<Uint8Array>;
}

/** Opens `file`, refuses it unless a regular file of at most `maxBytes`, and hands it to `use`. */
export async function withRegularFile<T>(file: string, maxBytes: number, use: (f: BoundedFile) => T | Promise<T>): Promise<T> {
  refuseUnlessFitting(file, await stat(file), maxBytes); // a device is never even opened
  const handle = await open(file, OPEN_FLAGS);
  try {
    const st = await handle.stat();
    refuseUnlessFitting(file, st, maxBytes);
    return await use({
      size: st.size,
      readAt: (offset, length) => readAt(handle, offset, length),
      readAll: () => readAll(handle, file, maxBytes),
    });
  } finally {
    await handle.close();
  }
}

/** The whole of a regular file of at most `maxBytes`. */
export function readRegularFile(file: string, maxBytes: number): Promise<Uint8Array> {
  return withRegularFile(file, maxBytes, (f) => f.readAll());
}

const CHUNK = 64 * 1024;

async function readAll(handle: FileHandle, file: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    // One byte more than allowed is enough to tell a file that grew past the cap.
    const buf = new Uint8Array(Math.min(CHUNK, maxBytes + 1 - total));
    const { bytesRead } = await handle.read(buf, 0, buf.length, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw ReadRefused.tooBig(file, maxBytes);
    chunks.push(buf.subarray(0, bytesRead));
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function readAt(handle: FileHandle, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let n = 0;
  while (n < length) {
    const got = readSync(handle.fd, out, n, length - n, offset + n);
    if (got === 0) break;
    n += got;
  }
  return out.subarray(0, n);
}

/** The gzip data in `bytes`, refused past `maxBytes` of output: a bomb stops there, having held no more. */
export function gunzipAtMost(bytes: Uint8Array, maxBytes: number, file: string): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw ReadRefused.tooBig(file, maxBytes, ' once decompressed');
    throw e;
  }
}
