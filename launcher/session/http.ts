// HTTP/1.0 to the app's loopback port, through a proxied stream of the agent channel: the
// appliance has no network, so this pipe is the only way in. The app is not trusted: the request
// line is checked before it goes, and an answer has a size cap and one deadline for all of it.
import { command } from '../../appliance/agent-protocol.ts';
import { URL_PATH } from '../../appliance/manifest.ts';
import type { AgentChannel } from './channel.ts';
import { Failure } from '../../appliance/failures.ts';

export interface HttpAnswer {
  status: number;
  /** The media type of the body (lowercase, without parameters), or null when the app named none. */
  contentType: string | null;
  body: string;
}

/** What is known of an answer once its head is in: given to a streaming caller before the first piece of its body. */
export type AnswerHead = Omit<HttpAnswer, 'body'>;

/** A streaming caller's hooks: each piece of the body as it arrives, and a signal that gives the answer up (the connection is closed). */
export interface Streaming {
  onBody?: (text: string, head: AnswerHead) => void;
  signal?: AbortSignal;
}

export const HTTP_METHODS: readonly string[] = ['GET', 'POST'];
/** The most of one answer (headers and body) kept: an app that never stops is cut off here. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** Why an answer given up on by its caller ended. */
export const STOPPED = 'the answer was stopped';

/** A request that was not sent, or an answer that was not taken. */
export class HttpRefused extends Failure {
  constructor(message: string) {
    super('refused', message);
  }
}

/** Why this method and path cannot make a request line, or null. */
export function badRequestLine(method: string, path: string): string | null {
  if (!HTTP_METHODS.includes(method))
    return `the HTTP method must be ${HTTP_METHODS.join(' or ')} (got ${JSON.stringify(method.slice(0, 20))})`;
  if (!URL_PATH.test(path))
    return `the HTTP path must start with "/" and have no spaces or control characters (got ${JSON.stringify(path.slice(0, 80))})`;
  return null;
}

/** An answer's bytes, kept up to the cap in one buffer that doubles as it fills. */
export class AnswerBytes {
  private buf = Buffer.alloc(64 * 1024);
  private length = 0;
  private bodyAt = -1;
  private head: AnswerHead | null = null;
  // Streaming, so a character split between two pieces comes out whole in the second.
  private readonly bodyText = new TextDecoder();

  constructor(private readonly onBody?: Streaming['onBody']) {}

  push(chunk: Uint8Array): void {
    if (this.length + chunk.length > MAX_ANSWER_BYTES) {
      throw new HttpRefused(`the app's answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, so it was cut off`);
    }
    if (this.length + chunk.length > this.buf.length) {
      const grown = Buffer.alloc(Math.min(MAX_ANSWER_BYTES, Math.max(this.buf.length * 2, this.length + chunk.length)));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    const from = this.length;
    this.buf.set(chunk, from);
    this.length += chunk.length;
    if (this.bodyAt < 0) {
      const split = this.buf.subarray(0, this.length).indexOf('\r\n\r\n', Math.max(0, from - 3));
      if (split < 0) return;
      this.bodyAt = split + 4;
      if (this.onBody) {
        const { status, contentType } = parseHttpAnswer(this.buf.subarray(0, this.bodyAt).toString('latin1'));
        this.head = { status, contentType };
      }
    }
    const fresh = this.buf.subarray(Math.max(from, this.bodyAt), this.length);
    const text = this.head && fresh.length ? this.bodyText.decode(fresh, { stream: true }) : '';
    if (this.onBody && this.head && text) this.onBody(text, this.head);
  }

  answer(): HttpAnswer {
    return parseHttpAnswer(new TextDecoder().decode(this.buf.subarray(0, this.length)));
  }
}

/** `onBody` receives the answer's body as it arrives (after the headers), for answers that stream. */
export async function httpRequest(
  ch: AgentChannel,
  port: number,
  method: string,
  path: string,
  body: string,
  timeoutMs: number,
  onBody?: Streaming['onBody'],
  signal?: AbortSignal,
): Promise<HttpAnswer> {
  const bad = badRequestLine(method, path);
  if (bad) throw new HttpRefused(bad);
  if (signal?.aborted) throw new HttpRefused(STOPPED);
  const bytes = new AnswerBytes(onBody);
  let ended!: () => void;
  let failed!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    ended = resolve;
    failed = reject;
  });
  done.catch(() => undefined); // it may fail before it is awaited; it is awaited below all the same
  // Past the cap the stream is dropped here; what the app still sends on it is discarded by the channel.
  const id = ch.openStream({
    data: (c) => {
      try {
        bytes.push(c);
      } catch (e) {
        ch.closeStream(id);
        failed(e as Error);
      }
    },
    eof: () => ended(),
  });
  let sent!: () => void;
  const requestSent = new Promise<void>((resolve) => {
    sent = resolve;
  });
  const exchange = async () => {
    await ch.request(command.connect(id, port), 'connected', timeoutMs, id);
    const payload = new TextEncoder().encode(body);
    const head = [
      `${method} ${path} HTTP/1.0`,
      'Host: 127.0.0.1',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${payload.length}`,
      'Connection: close',
      '', // the blank line that ends the head
      '',
    ].join('\r\n');
    await ch.write(id, new TextEncoder().encode(head));
    if (payload.length) await ch.write(id, payload);
    ch.endStream(id);
    sent();
    await done;
  };
  // One deadline for the whole exchange: an app that trickles its answer cannot extend it.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpRefused(`no complete HTTP answer within ${timeoutMs} ms`)), timeoutMs);
  });
  // Given up on by the caller (the person quit): the same as out of time, at once.
  let unlisten = () => {};
  const stopped = new Promise<never>((_, reject) => {
    const stop = () => reject(new HttpRefused(STOPPED));
    signal?.addEventListener('abort', stop, { once: true });
    unlisten = () => signal?.removeEventListener('abort', stop);
  });
  stopped.catch(() => undefined);
  let complete = false;
  try {
    await Promise.race([exchange(), deadline, stopped]);
    complete = true;
  } finally {
    clearTimeout(timer);
    unlisten();
    ch.closeStream(id);
    // Given up on (past the cap, out of time): the agent stops reading the app's side once the
    // whole request is out (DATA after the agent forgot the stream would be a protocol error).
    if (!complete) void requestSent.then(() => ch.abortStream(id));
  }
  return bytes.answer();
}

export function parseHttpAnswer(text: string): HttpAnswer {
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(text);
  if (!m) throw new HttpRefused(`the app did not answer in HTTP: ${JSON.stringify(text.slice(0, 80))}`);
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const type = /\r\ncontent-type:[ \t]*([^;\r\n]*)/i.exec(head)?.[1]?.trim().toLowerCase();
  return { status: Number(m[1]), contentType: type || null, body: split >= 0 ? text.slice(split + 4) : '' };
}
