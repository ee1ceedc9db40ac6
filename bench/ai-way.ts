// The ai-way appliance's figures, bundled and run by bench/run.mjs, each beside the same work done
// natively on the host in the same run: the app's own bundle run by this Node with node-llama-cpp
// from images/ai-way/app/node_modules, the same bench model, threads, context, max tokens, workspace
// documents and question, so both sides build the same prompt and measure tokens/s with the same
// code (the tokens after the first over the time since the first).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH, writeTinyLlama } from '../packaging/models/tiny-llama.ts';
import { median } from './session.ts';

const QUESTION = 'Which colour is the lighthouse painted, and when was it built?';
const ASKS = 5;
/** The ai-way manifest's smoke question (images/ai-way/appliance.toml). */
const SMOKE_QUESTION = 'Which colour is the lighthouse on Kestrel Point painted?';
const CORPUS_FILES = 4;
const CORPUS_FILE_BYTES = 1024 * 1024;

interface Side {
  tokensPerSecond: number[];
  /** Start of the process to the first answer token, and its parts. */
  firstToken: { total: number; parts: Record<string, number> }[];
  peakRssMiB: number[];
  indexMBps: number[];
}

const newSide = (): Side => ({ tokensPerSecond: [], firstToken: [], peakRssMiB: [], indexMBps: [] });
type Sides = { inside: Side; native: Side };

/** A deterministic text corpus: words from a fixed list picked by a fixed-seed generator. */
function writeCorpus(dir: string): string[] {
  const words = 'harbour ledger ship cargo keeper lamp tide rope mast sail anchor gull storm chart compass deck'.split(' ');
  let seed = 0x5eed;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const names: string[] = [];
  for (let f = 0; f < CORPUS_FILES; f++) {
    const parts: string[] = [];
    let size = 0;
    while (size < CORPUS_FILE_BYTES) {
      const sentence = Array.from({ length: 8 + (next() % 8) }, () => words[next() % words.length]).join(' ');
      const end = next() % 6 ? '. ' : '.\n\n';
      parts.push(sentence + end);
      size += sentence.length + end.length;
    }
    const name = `corpus-${f}.txt`;
    writeFileSync(path.join(dir, name), parts.join('').slice(0, CORPUS_FILE_BYTES));
    names.push(name);
  }
  return names;
}

const vmHwmMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

/** The app's process inside the session's container, seen from the host (root): its cgroup names the container. */
function appPidOf(launcherPid: number): number {
  const id = spawnSync('podman', ['ps', '--no-trunc', '--filter', `label=ai-way.launcher-pid=${launcherPid}`, '--format', '{{.ID}}'], {
    encoding: 'utf8',
  }).stdout.trim();
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      // The agent that starts the app carries the same command line after its own: the app is Node's.
      const [exe, script] = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      const app = exe?.endsWith('/node') && script === '/app/main.mjs';
      if (id && app && readFileSync(`/proc/${p}/cgroup`, 'utf8').includes(id)) return Number(p);
    } catch {
      /* gone */
    }
  }
  throw new Error(`no app process found in the container of launcher ${launcherPid}`);
}

/** A session's event, as far as the bench reads it. */
interface Ev {
  type: string;
  message?: string;
  body?: string;
  tokensPerSecond?: number;
}

/** JSON lines from a stream, each to `on`. */
function lines(stream: NodeJS.ReadableStream, on: (e: Ev) => void): void {
  let buf = '';
  stream.on('data', (b) => {
    buf += b;
    const ls = buf.split('\n');
    buf = ls.pop()!;
    for (const l of ls.filter(Boolean)) on(JSON.parse(l));
  });
}

/** Events of a headless session; next(type) takes the first not yet taken, with the time it came. */
function session(launcher: string, model: string) {
  const started = performance.now();
  const child = spawn(process.execPath, [launcher, 'run', '--appliance', 'ai-way', '--model', model, '--hold', '--json'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: '/',
  });
  const seen: { e: Ev; at: number }[] = [];
  const waiting: { type: string; resolve: (x: { e: Ev; at: number }) => void }[] = [];
  lines(child.stdout, (e) => {
    const x = { e, at: performance.now() };
    if (e.type === 'error') throw new Error(`the session failed: ${e.message}`);
    const i = waiting.findIndex((w) => w.type === e.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(x);
    else seen.push(x);
  });
  const next = (type: string) =>
    new Promise<{ e: Ev; at: number }>((resolve) => {
      const i = seen.findIndex((x) => x.e.type === type);
      if (i >= 0) resolve(seen.splice(i, 1)[0]!);
      else waiting.push({ type, resolve });
    });
  const send = (c: object) => child.stdin.write(`${JSON.stringify(c)}\n`);
  const http = async (method: string, p: string, body = '') => {
    send({ op: 'http', method, path: p, body });
    return (await next('answer')).e;
  };
  return { child, started, next, send, http };
}

async function indexed(documents: () => Promise<{ name: string; status: string }[]>, names: string[]): Promise<void> {
  for (;;) {
    const docs = await documents();
    if (names.every((n) => docs.some((d) => d.name === n && d.status !== 'indexing'))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** One question to the native app: the time to its first token and the app's own tokens/s. */
async function askNative(port: number, question: string): Promise<{ firstMs: number; tokensPerSecond: number }> {
  const t = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/ask`, { method: 'POST', body: question });
  let firstMs = NaN;
  let buf = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    const ls = buf.split('\n');
    buf = ls.pop()!;
    for (const l of ls.filter(Boolean)) {
      const e = JSON.parse(l);
      if (e.type === 'token' && Number.isNaN(firstMs)) firstMs = performance.now() - t;
      if (e.type === 'done') return { firstMs, tokensPerSecond: e.tokensPerSecond };
    }
  }
  throw new Error('the native app ended its answer without a done event');
}

/** The app run natively: started, asked the smoke question as the appliance was, then ready for questions. */
async function startNative(main: string, model: string, threads: number, smokeDoc: string) {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'ai-way-bench-native-'));
  // The appliance's workspace holds the smoke check's document when the questions come: so does this one.
  copyFileSync(smokeDoc, path.join(workspace, path.basename(smokeDoc)));
  const port = await freePort();
  const started = performance.now();
  const env = { ...process.env, AIWAY_PORT: String(port), AIWAY_WORKSPACE: workspace, AIWAY_MODEL: model };
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: { ...env, AIWAY_THREADS: String(threads), AIWAY_BACKEND: 'cpu' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const ok = () =>
    fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
  while (!(await ok())) await new Promise((r) => setTimeout(r, 20));
  const ready = performance.now();
  await askNative(port, SMOKE_QUESTION);
  const parts = { 'to ready (model loaded)': ready - started, 'smoke question': performance.now() - ready };
  return { child, port, workspace, parts };
}

/**
 * One round: an appliance session and the native app, both up; their questions alternate, so a
 * change in the host's load (others use this machine) touches both sides alike; then the corpus.
 */
async function round(launcher: string, main: string, model: string, smokeDoc: string, corpus: string, names: string[], sides: Sides) {
  const s = session(launcher, model);
  const verified = await s.next('verified');
  const ready = await s.next('ready');
  const smoke = await s.next('smoke');
  const threads = JSON.parse((await s.http('GET', '/status')).body!).threads as number;
  const n = await startNative(main, model, threads, smokeDoc);
  try {
    for (let i = 0; i < ASKS; i++) {
      const sent = performance.now();
      s.send({ op: 'http', method: 'POST', path: '/ask', body: QUESTION });
      const first = await s.next('answer-token');
      sides.inside.tokensPerSecond.push((await s.next('answer')).e.tokensPerSecond ?? NaN);
      const a = await askNative(n.port, QUESTION);
      sides.native.tokensPerSecond.push(a.tokensPerSecond);
      if (i > 0) continue;
      // The /status question between the smoke check and the ask is left out of the parts.
      const parts = {
        'to isolation verified': verified.at - s.started,
        'to ready (model loaded)': ready.at - verified.at,
        'smoke check': smoke.at - ready.at,
        'ask to first token': first.at - sent,
      };
      sides.inside.firstToken.push({ total: Object.values(parts).reduce((x, y) => x + y), parts });
      const nativeParts = { ...n.parts, 'ask to first token': a.firstMs };
      sides.native.firstToken.push({ total: Object.values(nativeParts).reduce((x, y) => x + y), parts: nativeParts });
    }
    const mb = (names.length * CORPUS_FILE_BYTES) / 1e6;
    let t = performance.now();
    for (const name of names) s.send({ op: 'add', path: path.join(corpus, name) });
    await indexed(async () => JSON.parse((await s.http('GET', '/documents')).body!).documents, names);
    sides.inside.indexMBps.push(mb / ((performance.now() - t) / 1000));
    t = performance.now();
    for (const name of names) copyFileSync(path.join(corpus, name), path.join(n.workspace, name));
    await indexed(async () => (await (await fetch(`http://127.0.0.1:${n.port}/documents`)).json()).documents, names);
    sides.native.indexMBps.push(mb / ((performance.now() - t) / 1000));
    sides.inside.peakRssMiB.push(vmHwmMiB(appPidOf(s.child.pid!)));
    sides.native.peakRssMiB.push(vmHwmMiB(n.child.pid!));
  } finally {
    n.child.kill();
    await new Promise((r) => n.child.once('close', r));
    rmSync(n.workspace, { recursive: true, force: true });
    s.send({ op: 'quit' });
    await s.next('wiped');
    await new Promise((r) => s.child.once('close', r));
  }
  return threads;
}

function summary(side: Side) {
  const firsts = side.firstToken.map((f) => f.total);
  const mid = side.firstToken[firsts.indexOf(median(firsts))]!;
  return {
    tokensPerSecond: median(side.tokensPerSecond),
    tokensPerSecondRuns: side.tokensPerSecond,
    firstTokenMs: mid.total,
    firstTokenParts: mid.parts,
    peakRssMiB: median(side.peakRssMiB),
    indexMBps: median(side.indexMBps),
  };
}

/** `rounds` rounds (each an appliance session beside a native app), as root with rootful Podman. */
export async function benchAiWay(root: string, rounds: number) {
  const model = path.join(root, 'build', 'models', 'bench-llama.gguf');
  if (!existsSync(model)) {
    mkdirSync(path.dirname(model), { recursive: true });
    writeTinyLlama(BENCH, model);
  }
  // The app's bundle beside its node_modules (dist/ is ignored), so node-llama-cpp is the app's own.
  const main = path.join(root, 'images', 'ai-way', 'app', 'dist', 'bench-main.mjs');
  const { bundleApp } = await import(pathToFileURL(path.join(root, 'images', 'ai-way', 'app', 'bundle.mjs')).href);
  await bundleApp(main);
  const corpus = mkdtempSync(path.join(os.tmpdir(), 'ai-way-bench-corpus-'));
  const names = writeCorpus(corpus);
  const launcher = path.join(root, 'build', 'ai-way.mjs');
  const smokeDoc = path.join(root, 'images', 'ai-way', 'smoke', 'notes.md');
  const sides: Sides = { inside: newSide(), native: newSide() };
  let threads = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      threads = await round(launcher, main, model, smokeDoc, corpus, names, sides);
    }
  } finally {
    rmSync(corpus, { recursive: true, force: true });
  }
  return { threads, corpusMB: (CORPUS_FILES * CORPUS_FILE_BYTES) / 1e6, inside: summary(sides.inside), native: summary(sides.native) };
}
