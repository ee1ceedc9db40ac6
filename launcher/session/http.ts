// HTTP/1.0 to the app's loopback port, through a proxied stream of the agent channel: the
// appliance has no network, so this pipe is the only way in.
import { command } from '../../appliance/agent-protocol.ts';
import type { AgentChannel } from './channel.ts';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** `onBody` receives the answer's body as it arrives (after the headers), for answers that stream. */
export async function httpRequest(ch: AgentChannel, port: number, method: 'GET' | 'POST', path: string, body: string, timeoutMs: number,
  onBody?: (text: string) => void): Promise<HttpAnswer> {
  // Decoded as it arrives; the body is handed on from where the headers end, never re-read.
  const decoder = new TextDecoder();
  let text = '';
  let bodyAt = -1;
  let sent = 0;
  const receive = (c: Uint8Array) => {
    text += decoder.decode(c, { stream: true });
    if (bodyAt < 0) {
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      bodyAt = split + 4;
    }
    if (onBody && text.length > bodyAt + sent) {
      onBody(text.slice(bodyAt + sent));
      sent = text.length - bodyAt;
    }
  };
  let ended!: () => void;
  const done = new Promise<void>((resolve) => { ended = resolve; });
  const id = ch.openStream({ data: receive, eof: () => ended() });
  let timer: NodeJS.Timeout | undefined;
  try {
    await ch.request(command.connect(id, port), 'connected', timeoutMs, id);
    const payload = new TextEncoder().encode(body);
    const head = `${method} ${path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n`;
    await ch.write(id, new TextEncoder().encode(head));
    if (payload.length) await ch.write(id, payload);
    ch.endStream(id);
    await Promise.race([done, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no HTTP answer within ${timeoutMs} ms`)), timeoutMs); })]);
  } finally {
    clearTimeout(timer);
    ch.closeStream(id);
  }
  return parseHttpAnswer(text + decoder.decode());
}

export function parseHttpAnswer(text: string): HttpAnswer {
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(text);
  if (!m) throw new Error(`the app did not answer in HTTP: ${JSON.stringify(text.slice(0, 80))}`);
  const split = text.indexOf('\r\n\r\n');
  return { status: Number(m[1]), body: split >= 0 ? text.slice(split + 4) : '' };
}
