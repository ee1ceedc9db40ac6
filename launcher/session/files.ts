// Files into the appliance's workspace, through the agent: checked on this side (the name, the
// kind of file, the space left) and again inside, where the SHA-256 is compared before it counts.
import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { command, type AgentMessage } from '../../appliance/agent-protocol.ts';
import { formatBytes } from '../render/doctor.ts';
import { AgentError, type AgentChannel } from './channel.ts';
import { Failure } from '../../appliance/failures.ts';

/** A file that cannot be added; the session goes on. */
export class FileRefused extends Failure {
  constructor(message: string) {
    super('refused', message);
  }
}

/** Why a name cannot be a workspace file, or null. The agent applies the same rules. */
export function badFileName(name: string): string | null {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > 255) return 'the name must be 1 to 255 bytes long';
  if (name === '.' || name === '..' || name.includes('/') || name.includes('\\')) return 'the name must not be a path';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the name has control characters';
  if (name.startsWith('.upload-')) return 'the name is reserved';
  return null;
}

const PIECE = 64 * 1024; // one frame's payload (MAX_PAYLOAD)
// Never through a link at the last step, never waiting on a FIFO, never becoming a controlling terminal.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

const notRegular = (name: string, kind: string) => new FileRefused(`${name}: only regular files can be added (this is ${kind})`);

/**
 * Opens a file to add, once: what is checked (a regular file, its size) is the opened file itself,
 * so a path swapped for a link or a device after any look at it cannot change what is sent.
 */
export async function openRegularFile(hostPath: string): Promise<{ fh: FileHandle; st: Stats }> {
  const name = path.basename(hostPath);
  let fh: FileHandle;
  try {
    fh = await open(hostPath, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw notRegular(name, 'a link');
    if (code === 'ENXIO') throw notRegular(name, 'a device or special file'); // a socket
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileRefused(`${hostPath}: file not found`);
    throw new FileRefused(`${hostPath}: cannot be read (${code ?? (e as Error).message})`);
  }
  const st = await fh.stat();
  if (st.isFile()) return { fh, st };
  await fh.close();
  throw notRegular(name, st.isDirectory() ? 'a folder' : 'a device or special file');
}

/** Reads the file's first `size` bytes from its start through one reused buffer (a launcher that imports gigabytes stays small). */
async function eachPiece(fh: FileHandle, size: number, use: (piece: Uint8Array, last: boolean) => Promise<void> | void): Promise<void> {
  const buf = Buffer.alloc(PIECE);
  for (let at = 0; at < size; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(PIECE, size - at), at);
    if (bytesRead === 0) return; // it shrank: changedSince says so
    at += bytesRead;
    await use(buf.subarray(0, bytesRead), at >= size);
  }
}

/** Whether the file was written to since it was opened (its size or the time of its last write differ). */
async function changedSince(fh: FileHandle, st: Stats): Promise<boolean> {
  const now = await fh.stat();
  return now.size !== st.size || now.mtimeMs !== st.mtimeMs;
}

export interface Uploaded {
  name: string;
  size: number;
  sha256: string;
}

export async function uploadFile(
  ch: AgentChannel,
  hostPath: string,
  onProgress?: (sent: number, total: number) => void,
): Promise<Uploaded> {
  const name = path.basename(hostPath);
  const why = badFileName(name);
  if (why) throw new FileRefused(`${JSON.stringify(name)}: ${why}`);
  const { fh, st } = await openRegularFile(hostPath);
  const refuseChanged = () => new FileRefused(`${name}: the file changed while it was being read; add it again once it is complete`);
  try {
    const listing = await ch.request<Extract<AgentMessage, { type: 'list' }>>(command.list(), 'list', 10_000);
    if (listing.files.some((f) => f.name === name)) throw alreadyAdded(name);
    if (st.size > listing.freeBytes) {
      const [size, free] = sizes(st.size, listing.freeBytes);
      throw new FileRefused(`${name}: ${size} does not fit; the workspace has ${free} free`);
    }
    const hash = createHash('sha256');
    await eachPiece(fh, st.size, (piece) => {
      hash.update(piece);
    });
    if (await changedSince(fh, st)) throw refuseChanged();
    // The agent's refusal (of the upload, or of what was sent) is the file's; a lost channel is not.
    const result = await send(ch, fh, st, name, hash.digest('hex'), onProgress).catch((e: Error) => {
      if (e instanceof AgentError) return e;
      throw e;
    });
    if (result instanceof Error) {
      if (await changedSince(fh, st)) throw refuseChanged();
      if (result instanceof AgentError && result.reason === 'exists') throw alreadyAdded(name);
      throw new FileRefused(`${name}: the appliance refused it (${result.message})`);
    }
    return result;
  } finally {
    await fh.close();
  }
}

const alreadyAdded = (name: string) => new FileRefused(`${name}: already added (the workspace has a file of that name)`);

/** Two sizes in the units the UI shows, with their bytes where rounding would make them look the same. */
function sizes(size: number, free: number): [string, string] {
  const [a, b] = [formatBytes(size), formatBytes(free)];
  return a === b ? [`${a} (${size} bytes)`, `${b} (${free} bytes)`] : [a, b];
}

/** Sends the file's bytes on a stream of their own; the agent keeps them only if the SHA-256 matches, else says why not. */
async function send(
  ch: AgentChannel,
  fh: FileHandle,
  st: Stats,
  name: string,
  sha256: string,
  onProgress?: (sent: number, total: number) => void,
): Promise<Uploaded | Error> {
  const { size } = st;
  const stream = ch.openStream({ data: () => undefined, eof: () => undefined });
  try {
    await ch.request(command.upload(stream, size, sha256, name), 'upload-ready', 10_000, stream);
    let refused = false; // after a refusal the agent forgets the stream: no more bytes may go to it
    const done = ch.reply<Extract<AgentMessage, { type: 'uploaded' }>>('uploaded', 600_000, 'UPLOAD', stream).catch((e: Error) => {
      refused = true;
      return e;
    });
    let sent = 0;
    let cut = false;
    await eachPiece(fh, size, async (piece, last) => {
      if (refused || cut) return;
      // A file written to while it was read ends short of its size before its last piece: the agent refuses it.
      if (last && (await changedSince(fh, st))) {
        cut = true;
        return;
      }
      await ch.writeFrame(stream, piece);
      sent += piece.length;
      onProgress?.(sent, size);
    });
    if (!refused) ch.endStream(stream);
    const result = await done;
    return result instanceof Error ? result : { name: result.name, size: result.size, sha256: result.sha256 };
  } finally {
    ch.closeStream(stream);
  }
}
