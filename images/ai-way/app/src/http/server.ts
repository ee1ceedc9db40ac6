// The app's HTTP API on the appliance's loopback (the contract's "App HTTP API"). The launcher's
// proxy speaks HTTP/1.0 and reads until the connection closes, so every answer says
// `Connection: close` and an answer is written line by line as it is generated.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AnswerEvent, encodeEvent } from '../ndjson.ts';

export interface Routes {
  ready(): boolean;
  status(): unknown;
  documents(): unknown;
  ask(question: string, emit: (event: AnswerEvent) => void, signal: AbortSignal): Promise<void>;
}

const MAX_QUESTION_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', `${JSON.stringify(value)}\n`);
}

function ndjsonError(res: ServerResponse, status: number, message: string): void {
  send(res, status, 'application/x-ndjson', encodeEvent({ type: 'error', message }));
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > MAX_QUESTION_BYTES) return null;
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

async function ask(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const question = await readBody(req);
  if (question === null) return ndjsonError(res, 413, `the question is longer than ${MAX_QUESTION_BYTES / 1024} KiB`);
  if (question.trim() === '') return ndjsonError(res, 400, 'the question is empty');
  if (!routes.ready()) return ndjsonError(res, 503, 'the model is still loading; ask again in a moment');
  const stop = new AbortController();
  // The person went away (or the launcher gave up): the next token's write fails, and generation stops.
  res.on('close', () => {
    if (!res.writableFinished) stop.abort();
  });
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store', Connection: 'close' });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  const emit = (event: AnswerEvent) => {
    if (!stop.signal.aborted) res.write(encodeEvent(event));
  };
  try {
    await routes.ask(question, emit, stop.signal);
  } catch (error) {
    emit({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  res.end();
}

async function route(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const method = req.method ?? 'GET';
  const known: Record<string, string> = { '/health': 'GET', '/status': 'GET', '/documents': 'GET', '/ask': 'POST' };
  const allowed = path !== undefined ? known[path] : undefined;
  if (!allowed) return send(res, 404, 'text/plain', 'not found\n');
  if (method !== allowed) {
    res.setHeader('Allow', allowed);
    return send(res, 405, 'text/plain', `use ${allowed}\n`);
  }
  if (path === '/health') return routes.ready() ? send(res, 200, 'text/plain', 'ok\n') : send(res, 503, 'text/plain', 'loading\n');
  if (path === '/status') return json(res, 200, routes.status());
  if (path === '/documents') return json(res, 200, routes.documents());
  return ask(routes, req, res);
}

export function startServer(routes: Routes, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    route(routes, req, res).catch((error: Error) => {
      if (!res.headersSent) send(res, 500, 'text/plain', `${error.message}\n`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 0;
  // The launcher half-closes its side once the request is sent (the agent's shutdown(SHUT_WR)): by
  // default Node then drops the answer. A peer that closes for good is seen at the next write.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
