// Real headless sessions of the CLI, as a user runs them (rootless, as the test user) or as root
// (rootful), read as JSON events; and the turn-taking that keeps test files that start sessions from
// seeing each other's containers.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, aiWayAsUser, podmanAsUser, removeInstall } from './rootless.ts';

export interface Runner {
  name: 'rootless' | 'rootful';
  /** `nodeArgs` go to Node before the program (e.g. --require of a test's stand-in). */
  aiWay(args: string[], nodeArgs?: string[]): ChildProcess;
  podman(args: string[], input?: Uint8Array): { out: string; err: string; code: number | null };
}

export const rootless: Runner = { name: 'rootless', aiWay: aiWayAsUser, podman: podmanAsUser };

export const rootful: Runner = {
  name: 'rootful',
  aiWay: (args, nodeArgs = []) =>
    spawn(process.execPath, [...nodeArgs, BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: '/',
    }),
  podman: (args, input) => {
    const r = spawnSync('podman', args, { encoding: 'utf8', cwd: '/', timeout: 60_000, input });
    return { out: r.stdout, err: r.stderr, code: r.status };
  },
};

export interface Run {
  runner: Runner;
  child: ChildProcess;
  /** The launcher's pid, known from its first output on: its containers carry it. */
  launcher: number | null;
  events: any[];
  stderr: string[];
  next(type: string, ms?: number): Promise<any>;
  send(command: object): void;
  exit: Promise<number | null>;
}

/**
 * A JSON line's event, its envelope checked and removed: every line carries `schema` 1 and `ts`, its
 * ISO time of writing. A line without them fails the test that reads it.
 */
export function unwrap(line: string): any {
  const { schema, ts, ...event } = JSON.parse(line);
  if (schema !== 1 || typeof ts !== 'string' || new Date(ts).toISOString() !== ts)
    throw new Error(`a JSON line without its envelope: ${line}`);
  return event;
}

/** `ai-way run --headless --json ARGS`, its events in order; next(type) takes the first not yet taken. */
export function startRun(runner: Runner, args: string[], nodeArgs: string[] = []): Run {
  const child = runner.aiWay(['run', '--headless', '--json', ...args], nodeArgs);
  const events: any[] = [];
  const waiters: { type: string; resolve: (e: any) => void; reject: (e: Error) => void }[] = [];
  let buf = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (t: string) => {
    buf += t;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines.filter(Boolean)) {
      const e = unwrap(l);
      events.push(e);
      const i = waiters.findIndex((w) => w.type === e.type);
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(e);
    }
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (b) => stderr.push(String(b)));
  // Read while it surely runs: it is writing.
  child.stdout!.once('data', () => {
    try {
      run.launcher = launcherPid(run);
    } catch {
      /* gone already: it started nothing */
    }
  });
  const exit = new Promise<number | null>((res) =>
    child.on('close', (code) => {
      // Nothing more will come: a test waiting for an event learns it now, with what did come.
      for (const w of waiters.splice(0))
        w.reject(
          new Error(
            `the run ended (exit ${code}) without a ${w.type} event; events: ${JSON.stringify(events)}; stderr: ${stderr.join('')}`,
          ),
        );
      res(code);
    }),
  );
  const run: Run = {
    runner,
    child,
    events,
    stderr,
    exit,
    launcher: null,
    send: (c) => child.stdin!.write(`${JSON.stringify(c)}\n`),
    next: (type, ms = 60_000) => {
      const seen = events.find((e) => e.type === type && !e.__taken);
      if (seen) {
        seen.__taken = true;
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no ${type} event in ${ms} ms; events: ${JSON.stringify(events)}; stderr: ${stderr.join('')}`)),
          ms,
        );
        waiters.push({
          type,
          resolve: (e) => {
            clearTimeout(t);
            e.__taken = true;
            resolve(e);
          },
          reject: (e) => {
            clearTimeout(t);
            reject(e);
          },
        });
      });
    },
  };
  return run;
}

/** When process `pid` started, in clock ticks after boot (field 22 of /proc/PID/stat), as text. */
export function processStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

/** The labels that make a container session `session` of the launcher `pid` that started at `start`. */
export const sessionLabels = (session: string, pid: number, start: string): string[] => [
  '--label',
  `ai-way.session=${session}`,
  '--label',
  `ai-way.launcher-pid=${pid}`,
  '--label',
  `ai-way.launcher-start=${start}`,
];

/**
 * Someone else's session on this machine, as tests must expect one: a container labelled as a
 * running launcher's (a sleep stands in for that launcher, so no start reaps it). Returns its removal.
 */
export function someoneElsesSession(runner: Runner): () => void {
  const launcher = spawn('sleep', ['3600'], { stdio: 'ignore' });
  runner.podman(['load', '--quiet'], readFileSync(path.join(ROOT, 'build', 'images', 'selftest-x86_64.oci.tar')));
  const made = runner.podman([
    'create',
    '--pull=never',
    '--network=none',
    ...sessionLabels('someone-else', launcher.pid!, processStart(launcher.pid!)),
    'localhost/ai-way-selftest:0.1.0',
  ]);
  if (made.code !== 0) throw new Error(`someone else's session could not be made: ${made.err}`);
  return () => {
    runner.podman(['rm', '--force', '--time', '0', made.out.trim()]);
    launcher.kill();
  };
}

/** Called in a describe: someone else's session runs beside its tests from the first to the last. */
export function withSomeoneElsesSession(runner: Runner): void {
  let end: () => void = () => {};
  beforeAll(() => {
    end = someoneElsesSession(runner);
  });
  afterAll(() => end());
}

/** Processes whose parent is `pid` (read from /proc/N/stat: this kernel has no /proc/N/task/N/children). */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The launcher's own pid: the run's process, or under runuser its only child. */
export function launcherPid(run: Run): number {
  const pid = run.child.pid!;
  if (run.runner.name === 'rootful') return pid;
  const children = childrenOf(pid);
  if (children.length !== 1) throw new Error(`runuser ${pid} has children [${children.join(', ')}], not one launcher`);
  return children[0]!;
}

/** Names of the containers of ai-way sessions: all, or one launcher's. */
export function sessionContainers(runner: Runner, ofLauncher?: number): string[] {
  const r = runner.podman([
    'ps',
    '-a',
    '--filter',
    'label=ai-way.session',
    '--format',
    '{{.Names}} {{index .Labels "ai-way.launcher-pid"}}',
  ]);
  return r.out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '))
    .filter(([, pid]) => ofLauncher === undefined || pid === String(ofLauncher))
    .map(([name]) => name!);
}

/** A launcher's containers still there after `withinMs` (none is the wanted answer). */
export async function leftoversOf(runner: Runner, pid: number, withinMs = 5000): Promise<string[]> {
  const deadline = Date.now() + withinMs;
  let now = sessionContainers(runner, pid);
  while (now.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    now = sessionContainers(runner, pid);
  }
  return now;
}

/**
 * What a test file's sessions leave to clean up, ended after the file: its runs (endRuns) and its
 * folders, a scratch folder first; a test pushes the runs it starts and any folder it makes.
 */
export function sessionScratch(prefix: string): { scratch: string; runs: Run[]; folders: string[] } {
  const scratch = mkdtempSync(path.join(os.tmpdir(), prefix));
  const owned = { scratch, runs: [] as Run[], folders: [scratch] };
  afterAll(async () => {
    await endRuns(owned.runs);
    for (const d of owned.folders) rmSync(d, { recursive: true, force: true });
  });
  return owned;
}

/** Ends runs a failed test left: end of input, then a forced removal of their own containers. */
export async function endRuns(runs: Run[]): Promise<void> {
  for (const run of runs.splice(0)) {
    let pid: number | null = null;
    try {
      pid = launcherPid(run);
    } catch {
      /* already gone */
    }
    run.child.stdin?.end();
    await Promise.race([run.exit, new Promise((r) => setTimeout(r, 5000))]);
    if (pid !== null) for (const c of sessionContainers(run.runner, pid)) run.runner.podman(['rm', '-f', c]);
  }
}

/** The rootless user's Podman volumes and pods, as "volume NAME" and "pod NAME". */
function volumesAndPods(): string[] {
  const names = (kind: 'volume' | 'pod') =>
    podmanAsUser([kind, 'ls', '-q'])
      .out.split('\n')
      .filter(Boolean)
      .map((n) => `${kind} ${n}`);
  return [...names('volume'), ...names('pod')];
}

/**
 * Called in a describe that starts rootless runs: `start` starts one, and a failed test's runs are
 * ended after it (end of input, then force), so that they cannot confuse the next test. The copy of
 * ai-way they run is removed after the last.
 */
export function rootlessRuns() {
  const runs: Run[] = [];
  let before = new Set<string>();
  beforeEach(() => {
    before = new Set(volumesAndPods());
  });
  afterEach(() => endRuns(runs));
  afterAll(() => removeInstall());
  const start = (args: string[], nodeArgs: string[] = []): Run => {
    const run = startRun(rootless, args, nodeArgs);
    runs.push(run);
    return run;
  };
  /**
   * What a run left after `withinMs`: its launcher's containers, and any volume or pod made since the
   * test began. Only what the test started: someone else's sessions on this machine are theirs.
   */
  const noLeftovers = async (run: Run, withinMs = 5000): Promise<string[]> => {
    const deadline = Date.now() + withinMs;
    expect(run.launcher).not.toBeNull();
    const left = () => [...sessionContainers(rootless, run.launcher!), ...volumesAndPods().filter((x) => !before.has(x))];
    let now = left();
    while (now.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      now = left();
    }
    return now;
  };
  return { start, noLeftovers };
}

/**
 * Test files that start sessions take turns: sessions of one user share one Podman, and a test
 * that counts containers must not count another file's. Resolves with the function that ends the turn.
 */
async function takeSessionTurn(timeoutMs: number): Promise<() => void> {
  const lock = path.join(os.tmpdir(), 'ai-way-session-turn');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() > deadline) throw new Error(`no turn to start sessions within ${timeoutMs} ms (${lock} is held)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Called in a describe that starts sessions: its tests wait for their turn, and give it up after. */
export function takeSessionTurns(timeoutMs = 900_000): void {
  let end: () => void = () => {};
  beforeAll(async () => {
    end = await takeSessionTurn(timeoutMs);
  }, timeoutMs + 10_000);
  afterAll(() => end());
}
