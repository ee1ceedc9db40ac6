// Runs the ai-way app's bundle on the host (images/ai-way/app/dist/main.mjs, built by `npm run
// build`) the way the appliance does, and talks to it the way the launcher's proxy does: HTTP/1.0,
// reading until the connection closes.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const APP_DIR = path.resolve(import.meta.dirname, '../../images/ai-way/app');
export const APP_BUNDLE = path.join(APP_DIR, 'dist/main.mjs');
export const TEST_MODEL = process.env.AIWAY_TEST_MODEL ?? path.resolve(import.meta.dirname, '../../build/models/tiny-llama.gguf');

/** Why the app's tests cannot run here, or null when they can. */
export function appMissing(): string | null {
  if (!existsSync(path.join(APP_DIR, 'node_modules/node-llama-cpp')) || !existsSync(APP_BUNDLE)) {
    return `the app is not installed and built (${APP_DIR}: npm run build installs it)`;
  }
  if (!existsSync(TEST_MODEL)) return `no test model at ${TEST_MODEL} (npm run build writes it)`;
  return null;
}

export interface RunningApp {
  port: number;
  workspace: string;
  log: string[];
  child: ChildProcess;
  waitForLog(pattern: RegExp, ms?: number): Promise<string>;
  stop(): Promise<void>;
}

// One thread: the tests share a small machine with other tests, and spinning threads that wait for a core slow
// generation tenfold.
export async function startTestApp(env: Record<string, string>): Promise<RunningApp> {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'ai-way-app-ws-'));
  const child = spawn(process.execPath, [APP_BUNDLE], {
    env: {
      ...process.env,
      AIWAY_PORT: '0',
      AIWAY_WORKSPACE: workspace,
      AIWAY_MODEL: TEST_MODEL,
      AIWAY_BACKEND: 'cpu',
      AIWAY_THREADS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const waiters: (() => void)[] = [];
  const take = (chunk: Buffer) => {
    log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const waitForLog = async (pattern: RegExp, ms = 30_000): Promise<string> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const line = log.find((l) => pattern.test(l));
      if (line) return line;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no log line ${pattern} in:\n${log.join('\n')}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  const port = Number((await waitForLog(/listening on 127\.0\.0\.1:\d+/)).split(':').pop());
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  return { port, workspace, log, child, waitForLog, stop };
}

/** As the agent writes an upload: a temporary name first, renamed into place when complete. */
export function drop(workspace: string, name: string, bytes: Buffer | string): void {
  const temp = path.join(workspace, `.upload-${Math.floor(Math.random() * 1e6)}`);
  writeFileSync(temp, bytes);
  renameSync(temp, path.join(workspace, name));
}

export interface Exchange {
  status: number;
  headers: string;
  body: string;
  /** Each piece of body as it arrived, with its time. */
  arrivals: { at: number; text: string }[];
}

/** One HTTP/1.0 request, sent and half-closed, then read until the app closes the connection (as the launcher's proxy does). */
export function http10(
  port: number,
  method: string,
  target: string,
  body = '',
  onData?: (sock: net.Socket, text: string) => void,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const arrivals: Exchange['arrivals'] = [];
    sock.on('connect', () => {
      // The launcher's request (launcher/session/http.ts), then its half-close: the agent's shutdown(SHUT_WR).
      const head = `${method} ${target} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: text/plain; charset=utf-8\r\n`;
      sock.end(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    sock.on('data', (d: Buffer) => {
      parts.push(d);
      arrivals.push({ at: performance.now(), text: d.toString('utf8') });
      onData?.(sock, Buffer.concat(parts).toString('utf8'));
    });
    sock.on('error', reject);
    sock.on('close', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const headers = raw.slice(0, split);
      resolve({ status: Number(headers.split(' ')[1]), headers, body: raw.slice(split + 4), arrivals });
    });
  });
}

export async function getJson<T>(port: number, target: string): Promise<T> {
  const r = await http10(port, 'GET', target);
  if (r.status !== 200) throw new Error(`${target}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

/** Polls until `check` holds (documents are indexed as they arrive, not at once). */
export async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`still not so after ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
