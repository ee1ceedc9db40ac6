// The agent channel's wire format (native/PROTOCOL.md): length-prefixed frames carrying control
// lines, JSON replies and multiplexed byte streams. Pure: bytes in, frames out, and back.

export const FRAME = { control: 1, data: 2, eof: 3 } as const;
export type FrameType = (typeof FRAME)[keyof typeof FRAME];
export const MAX_PAYLOAD = 65536;
const HEADER = 9;

export interface Frame {
  type: FrameType;
  stream: number;
  payload: Uint8Array;
}

/** A frame's header alone, for a payload sent separately (uploads reuse their buffer). */
export function frameHeader(type: FrameType, stream: number, payloadLength: number): Uint8Array {
  if (payloadLength > MAX_PAYLOAD) throw new RangeError(`frame payload of ${payloadLength} bytes exceeds ${MAX_PAYLOAD}`);
  const out = new Uint8Array(HEADER);
  const view = new DataView(out.buffer);
  view.setUint32(0, 5 + payloadLength);
  view.setUint8(4, type);
  view.setUint32(5, stream);
  return out;
}

export function encodeFrame(type: FrameType, stream: number, payload: Uint8Array = new Uint8Array()): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  out.set(frameHeader(type, stream, payload.length));
  out.set(payload, HEADER);
  return out;
}

export class ProtocolError extends Error {}

/** Incremental decoder: feed chunks as they arrive, get whole frames. */
export class FrameDecoder {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): Frame[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const frames: Frame[] = [];
    let off = 0;
    while (joined.length - off >= 4) {
      const view = new DataView(joined.buffer, joined.byteOffset + off);
      const length = view.getUint32(0);
      if (length < 5 || length > 5 + MAX_PAYLOAD) throw new ProtocolError(`bad frame length ${length}`);
      if (joined.length - off < 4 + length) break;
      const type = view.getUint8(4);
      if (type !== FRAME.control && type !== FRAME.data && type !== FRAME.eof) throw new ProtocolError(`unknown frame type ${type}`);
      frames.push({ type, stream: view.getUint32(5), payload: joined.slice(off + HEADER, off + 4 + length) });
      off += 4 + length;
    }
    this.buffer = joined.slice(off);
    return frames;
  }
}

/** Percent-encodes every byte outside [A-Za-z0-9._-], as the agent's command tokens need. */
export function encodeToken(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9._-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export const command = {
  report: () => 'REPORT',
  status: () => 'STATUS',
  list: () => 'LIST',
  wipe: () => 'WIPE',
  shutdown: () => 'SHUTDOWN',
  connect: (stream: number, port: number) => `CONNECT ${stream} ${port}`,
  upload: (stream: number, size: number, sha256: string, name: string) => `UPLOAD ${stream} ${size} ${sha256} ${encodeToken(name)}`,
};

/** The isolation facts the agent reads inside the appliance (PROTOCOL.md, "Isolation report"). */
export interface IsolationReport {
  type: 'report';
  interfaces: string[];
  outbound: { connected: boolean; attempts: { to: string; error: string | null }[] };
  rootReadOnly: boolean;
  workspace: { path: string; fstype: string | null; options: string | null; sizeBytes: number | null; freeBytes: number | null };
  capEff: string | null;
  noNewPrivs: number | null;
  seccomp: number | null;
  uidMap: [number, number, number][];
  cgroup: { memoryMax: string | null; pidsMax: string | null };
  rlimits: Record<string, [number, number]>;
  /** GPU device nodes the appliance sees (/dev/nvidia*, /dev/dri/*, /dev/kfd, /dev/dxg). */
  devices: string[];
  /** Mount points mounted read-write, the kernel's own filesystems left out; null if unreadable. */
  writableMounts?: string[] | null;
  uid: number;
  gid: number;
}

export type AgentMessage =
  | { type: 'hello'; protocol: number; pid: number; arch: string; appPid: number }
  | IsolationReport
  | { type: 'status'; app: 'running' | 'exited'; exitCode: number | null; signal: number | null }
  | { type: 'connected'; stream: number }
  | { type: 'upload-ready'; stream: number }
  | { type: 'uploaded'; stream: number; name: string; size: number; sha256: string }
  | { type: 'list'; files: { name: string; size: number }[]; freeBytes: number; totalBytes: number }
  | { type: 'wiped'; removed: number }
  | { type: 'bye' }
  | { type: 'app-exited'; exitCode: number | null; signal: number | null }
  | { type: 'error'; stream?: number; error: string; detail?: string };

export function parseAgentMessage(payload: Uint8Array): AgentMessage {
  let doc: unknown;
  try { doc = JSON.parse(new TextDecoder().decode(payload)); } catch { throw new ProtocolError('agent sent a control frame that is not JSON'); }
  if (typeof doc !== 'object' || doc === null || typeof (doc as { type?: unknown }).type !== 'string') throw new ProtocolError('agent message without a type');
  return doc as AgentMessage;
}
