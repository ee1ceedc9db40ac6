// The launcher's end of the agent channel: control requests with their replies, and byte
// streams (HTTP to the app, file uploads) multiplexed over one pipe.
import type { Readable, Writable } from 'node:stream';
import {
  FRAME,
  FrameDecoder,
  MAX_PAYLOAD,
  command,
  encodeFrame,
  frameHeader,
  parseAgentMessage,
  type AgentMessage,
  type Frame,
  type FrameType,
} from '../../appliance/agent-protocol.ts';
import { Failure } from '../../appliance/failures.ts';
import { FloodGate } from './flood-gate.ts';

interface Waiter {
  match(m: AgentMessage): boolean;
  resolve(m: AgentMessage): void;
  reject(e: Error): void;
}

interface StreamSink {
  data(chunk: Uint8Array): void;
  eof(): void;
}

export class ChannelClosed extends Failure {
  constructor(message: string) {
    super('stopped', message);
  }
}

export interface ChannelHooks {
  /** How many unrequested messages a burst had beyond those passed to onEvent. */
  onFlood?(held: number): void;
  /** The channel closed (the appliance went away, or broke the protocol); called before any waiter hears of it. */
  onClose?(reason: Error): void;
}

/** Unrequested messages shown per burst: an app-exited or two, never a flood. */
export const EVENT_BURST = { limit: 10, quietMs: 1000 };

export class AgentChannel {
  private readonly decoder = new FrameDecoder();
  private readonly waiters: Waiter[] = [];
  private readonly streams = new Map<number, StreamSink>();
  private nextStream = 1;
  private closedError: Error | null = null;
  private readonly events: FloodGate<AgentMessage>;

  constructor(
    private readonly out: Writable,
    input: Readable,
    onEvent: (m: AgentMessage) => void,
    private readonly hooks: ChannelHooks = {},
  ) {
    this.events = new FloodGate(EVENT_BURST, onEvent, (held) => hooks.onFlood?.(held));
    input.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.decoder.push(chunk);
      } catch (e) {
        this.close(e as Error);
        return;
      }
      for (const f of frames) this.dispatch(f.type, f.stream, f.payload);
    });
    input.on('end', () => this.close(new ChannelClosed('the appliance closed the channel')));
    input.on('error', (e) => this.close(e));
    out.on('error', (e) => this.close(e));
  }

  private dispatch(type: FrameType, stream: number, payload: Uint8Array): void {
    if (this.closedError) return; // what follows a protocol error is not trusted either
    if (type === FRAME.data) {
      this.streams.get(stream)?.data(payload);
      return;
    }
    if (type === FRAME.eof) {
      this.streams.get(stream)?.eof();
      return;
    }
    let message: AgentMessage;
    try {
      message = parseAgentMessage(payload);
    } catch (e) {
      this.close(e as Error);
      return;
    }
    const i = this.waiters.findIndex((w) => w.match(message));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(message);
    else this.events.push(message);
  }

  /** Waits for the first message that matches (one already sent is not replayed). */
  expect<T extends AgentMessage>(match: (m: AgentMessage) => boolean, timeoutMs: number, what: string): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`the appliance did not answer ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Sends a control command and waits for its reply (or an error about it). */
  request<T extends AgentMessage>(line: string, replyType: T['type'], timeoutMs: number, stream?: number): Promise<T> {
    // A closed channel fails the request itself; no reply left waiting unobserved.
    if (this.closedError) return Promise.reject(this.closedError);
    const reply = this.reply<T>(replyType, timeoutMs, line.split(' ')[0]!, stream);
    this.send(FRAME.control, 0, new TextEncoder().encode(line));
    return reply;
  }

  /** Waits for a reply of this type (or an error) without sending anything, e.g. an upload's result. */
  reply<T extends AgentMessage>(replyType: T['type'], timeoutMs: number, what: string, stream?: number): Promise<T> {
    // An error that names no stream answers a malformed command: it belongs to the oldest request.
    const ours = (m: AgentMessage) =>
      stream === undefined || (m as { stream?: number }).stream === stream || (m.type === 'error' && m.stream === undefined);
    return this.expect<T | Extract<AgentMessage, { type: 'error' }>>(
      (m) => (m.type === replyType || m.type === 'error') && ours(m),
      timeoutMs,
      what,
    ).then((m) => {
      if (m.type === 'error') throw new AgentError(m.error, m.detail ?? '');
      return m as T;
    });
  }

  openStream(sink: StreamSink): number {
    const id = this.nextStream++;
    this.streams.set(id, sink);
    return id;
  }

  /** Tells the agent to drop a connection the launcher gave up on, so the app's side is no longer read. */
  abortStream(id: number): void {
    this.request(command.close(id), 'closed', 10_000, id).catch(() => undefined); // gone already, or the channel with it
  }

  closeStream(id: number): void {
    this.streams.delete(id);
  }

  /** Sends bytes on a stream in frame-sized pieces; resolves when the pipe has taken them. */
  async write(stream: number, bytes: Uint8Array): Promise<void> {
    for (let off = 0; off < bytes.length; off += MAX_PAYLOAD) {
      if (!this.send(FRAME.data, stream, bytes.subarray(off, off + MAX_PAYLOAD))) await this.drained();
    }
  }

  /**
   * Sends one frame's worth of bytes and resolves once the pipe has taken them, so the caller may
   * reuse its buffer: uploads read a file through one buffer instead of allocating per piece.
   */
  writeFrame(stream: number, bytes: Uint8Array): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.out.write(frameHeader(FRAME.data, stream, bytes.length));
      this.out.write(bytes, (e) => (e ? reject(e) : resolve()));
    });
  }

  endStream(stream: number): void {
    this.send(FRAME.eof, stream);
  }

  private send(type: FrameType, stream: number, payload?: Uint8Array): boolean {
    if (this.closedError) throw this.closedError;
    return this.out.write(encodeFrame(type, stream, payload));
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', fail);
        resolve();
      };
      const fail = () => {
        this.out.off('drain', done);
        reject(this.closedError ?? new ChannelClosed('the channel closed'));
      };
      this.out.once('drain', done);
      this.out.once('close', fail);
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  close(reason: Error): void {
    if (this.closedError) return;
    this.closedError = reason;
    this.hooks.onClose?.(reason);
    this.events.flush();
    for (const w of this.waiters.splice(0)) w.reject(reason);
    for (const s of this.streams.values()) s.eof();
    this.streams.clear();
  }
}

/** The agent refused a request; `reason` is its protocol's word for why (name, exists, space, ...). */
export class AgentError extends Failure {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super('refused', detail ? `${reason}: ${detail}` : reason);
  }
}
