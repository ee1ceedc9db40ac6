// The agent channel's wire format (native/PROTOCOL.md): length-prefixed frames carrying control
// lines, JSON replies and multiplexed byte streams. Pure: bytes in, frames out, and back.
import * as z from 'zod/mini';
import { Failure } from './failures.ts';

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

/** The appliance broke the protocol: the channel is closed on it, so to the launcher the appliance has stopped. */
export class ProtocolError extends Failure {
  constructor(message: string) {
    super('stopped', message);
  }
}

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
  close: (stream: number) => `CLOSE ${stream}`,
  upload: (stream: number, size: number, sha256: string, name: string) => `UPLOAD ${stream} ${size} ${sha256} ${encodeToken(name)}`,
};

/** A mount the app relies on, as measured inside: the one holding `path`. */
const mountFact = z.object({
  path: z.string(),
  /** Where the mount holding it is mounted (an agent before the model was passed omits it). */
  mountPoint: z.optional(z.nullable(z.string())),
  fstype: z.nullable(z.string()),
  options: z.nullable(z.string()),
  sizeBytes: z.nullable(z.number()),
  freeBytes: z.nullable(z.number()),
});

const idMap = z.nullable(z.array(z.tuple([z.number(), z.number(), z.number()])));

/**
 * The isolation facts measured inside the app's sandbox, in the app's own state, just before its
 * program started (PROTOCOL.md, "Isolation report"). A fact that could not be read is null.
 */
export const isolationReportSchema = z.object({
  type: z.literal('report'),
  interfaces: z.nullable(z.array(z.string())),
  outbound: z.object({ connected: z.boolean(), attempts: z.array(z.object({ to: z.string(), error: z.nullable(z.string()) })) }),
  rootReadOnly: z.nullable(z.boolean()),
  workspace: mountFact,
  shm: mountFact,
  /** Mount points the app can reach that are mounted read-write (kernel file systems left out). */
  writableMounts: z.nullable(z.array(z.string())),
  /** The mount holding /model/model.gguf; null (or absent, from an older agent): no model there. */
  model: z.optional(z.nullable(mountFact)),
  capEff: z.nullable(z.string()),
  capPrm: z.nullable(z.string()),
  capInh: z.nullable(z.string()),
  capBnd: z.nullable(z.string()),
  capAmb: z.nullable(z.string()),
  noNewPrivs: z.nullable(z.number()),
  seccomp: z.nullable(z.number()),
  /** The app's own user namespace: [inside, outside, count] rows of its uid and gid maps, and whether setgroups is denied. */
  uidMap: idMap,
  gidMap: idMap,
  setgroups: z.nullable(z.string()),
  /** The agent's user namespace (a container's, or a guest's own), read by the supervisor before the app started. */
  agentUidMap: idMap,
  /**
   * cpuMax as cgroup v2 writes it: "QUOTA PERIOD" or "max PERIOD" (from v1's two files where need be);
   * controllers: those of the cgroup v2 in view, null when none is.
   */
  cgroup: z.object({
    memoryMax: z.nullable(z.string()),
    pidsMax: z.nullable(z.string()),
    cpuMax: z.nullable(z.string()),
    controllers: z.nullable(z.array(z.string())),
  }),
  rlimits: z.record(z.string(), z.nullable(z.tuple([z.number(), z.number()]))),
  /** GPU device nodes the app sees (/dev/nvidia*, /dev/dri/*, /dev/kfd, /dev/dxg). */
  devices: z.array(z.string()),
  /** Process ids the app can see. */
  processes: z.nullable(z.array(z.number())),
  /** Descriptors the app's program starts with. */
  descriptors: z.nullable(z.array(z.number())),
  /** PID 1 of the app's namespace, which runs as the agent's user: its uid, and the error reading its environment got. */
  supervisor: z.object({ uid: z.nullable(z.number()), environ: z.nullable(z.string()) }),
  /** What the seccomp filter must refuse, tried: the error each got, "allowed", or null (not tried). */
  denied: z.object({ userNamespace: z.nullable(z.string()), vsock: z.nullable(z.string()) }),
  /** The kernel the app runs on, read inside (uname). */
  kernel: z.object({ release: z.nullable(z.string()), arch: z.nullable(z.string()) }),
  /** What the launcher told the guest and the agent passes on unmeasured: what runs the guest (tcg, kvm, ...). */
  told: z.object({ accelerator: z.nullable(z.string()) }),
  uid: z.number(),
  gid: z.number(),
});
export type IsolationReport = z.infer<typeof isolationReportSchema>;

export type AgentMessage =
  | { type: 'hello'; protocol: number; pid: number; arch: string; appPid: number }
  | IsolationReport
  | { type: 'report'; error: string }
  | { type: 'status'; app: 'running' | 'exited'; exitCode: number | null; signal: number | null }
  | { type: 'connected'; stream: number }
  | { type: 'closed'; stream: number }
  | { type: 'upload-ready'; stream: number }
  | { type: 'uploaded'; stream: number; name: string; size: number; sha256: string }
  | { type: 'list'; files: { name: string; size: number }[]; freeBytes: number; totalBytes: number }
  | { type: 'wiped'; removed: number }
  | { type: 'bye' }
  | { type: 'app-exited'; exitCode: number | null; signal: number | null }
  | { type: 'error'; stream?: number; error: string; detail?: string };

export function parseAgentMessage(payload: Uint8Array): AgentMessage {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new ProtocolError('agent sent a control frame that is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || typeof (doc as { type?: unknown }).type !== 'string')
    throw new ProtocolError('agent message without a type');
  return doc as AgentMessage;
}
