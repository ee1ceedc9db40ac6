// Files into the appliance's workspace, through the agent: checked on this side (the name, the
// kind of file, the space left) and again inside, where the SHA-256 is compared before it counts.
import { createHash } from 'node:crypto';
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { command, type AgentMessage } from '../../appliance/agent-protocol.ts';
import type { AgentChannel } from './channel.ts';

export class FileRefused extends Error {}

/** Why a name cannot be a workspace file, or null. The agent applies the same rules. */
export function badFileName(name: string): string | null {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > 255) return 'the name must be 1 to 255 bytes long';
  if (name === '.' || name === '..' || name.includes('/') || name.includes('\\')) return 'the name must not be a path';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the name has control characters';
  if (name.startsWith('.upload-')) return 'the name is reserved';
  return null;
}

const PIECE = 64 * 1024; // one frame's payload (MAX_PAYLOAD)

/** Reads a file through one reused buffer (a launcher that imports gigabytes stays small). */
async function eachPiece(file: string, use: (piece: Uint8Array) => Promise<void> | void): Promise<void> {
  const fh = await open(file, 'r');
  const buf = Buffer.alloc(PIECE);
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, PIECE, null);
      if (bytesRead === 0) return;
      await use(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await eachPiece(file, (piece) => { hash.update(piece); });
  return hash.digest('hex');
}

export interface Uploaded {
  name: string;
  size: number;
  sha256: string;
}

export async function uploadFile(ch: AgentChannel, hostPath: string, onProgress?: (sent: number, total: number) => void): Promise<Uploaded> {
  const name = path.basename(hostPath);
  const why = badFileName(name);
  if (why) throw new FileRefused(`${JSON.stringify(name)}: ${why}`);
  const st = await lstat(hostPath).catch(() => null);
  if (!st) throw new FileRefused(`${hostPath}: no such file`);
  if (!st.isFile()) throw new FileRefused(`${name}: only regular files can be added (this is ${st.isSymbolicLink() ? 'a link' : st.isDirectory() ? 'a folder' : 'a device or special file'})`);
  const listing = await ch.request<Extract<AgentMessage, { type: 'list' }>>(command.list(), 'list', 10_000);
  if (st.size > listing.freeBytes) throw new FileRefused(`${name}: ${st.size} bytes do not fit; the workspace has ${listing.freeBytes} bytes free`);
  const sha256 = await sha256Of(hostPath);
  const stream = ch.openStream({ data: () => undefined, eof: () => undefined });
  try {
    await ch.request(command.upload(stream, st.size, sha256, name), 'upload-ready', 10_000, stream);
    let refused = false; // after a refusal the agent forgets the stream: no more bytes may go to it
    const done = ch.reply<Extract<AgentMessage, { type: 'uploaded' }>>('uploaded', 600_000, 'UPLOAD', stream)
      .catch((e: Error) => { refused = true; return e; });
    let sent = 0;
    await eachPiece(hostPath, async (piece) => {
      if (refused) return;
      await ch.writeFrame(stream, piece);
      sent += piece.length;
      onProgress?.(sent, st.size);
    });
    if (!refused) ch.endStream(stream);
    const result = await done;
    if (result instanceof Error) throw new FileRefused(`${name}: the appliance refused it (${result.message})`);
    return { name: result.name, size: result.size, sha256: result.sha256 };
  } finally {
    ch.closeStream(stream);
  }
}
