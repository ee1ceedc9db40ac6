// limactl as a process of the launcher's: where it is, ai-way's own LIMA_HOME, and one call run to
// its end (its stderr read line by line for the start's progress; a file as its stdin).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Failure } from '../../appliance/failures.ts';
import { userCache } from '../carried-images.ts';
import type { LimaCall } from './commands.ts';

/**
 * limactl on PATH. AIWAY_TEST_LIMACTL names another program: the tests' stand-in (test/support),
 * which runs the guest in Linux namespaces where no Mac is; nothing else sets it.
 */
export const limactlProgram = (): string => process.env.AIWAY_TEST_LIMACTL || 'limactl';

/** ai-way's own Lima home, apart from the person's ~/.lima; short, since Lima's sockets live below it. */
export const limaHome = (): string => path.join(userCache(), 'ai-way', 'lima');

export interface LimaResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const notInstalled = (): Failure =>
  new Failure('prerequisite', 'Lima is not installed (limactl was not found)', { fix: 'install Lima with Homebrew: brew install lima' });

/** Starts a call, its stdio piped; in a process group of its own (a Ctrl-C is the launcher's to handle). */
export const spawnLima = (c: LimaCall): ChildProcessWithoutNullStreams =>
  spawn(c.argv[0]!, c.argv.slice(1), { stdio: 'pipe', detached: true, env: { ...process.env, ...c.env } });

/** Runs a call to its end; rejects only when limactl cannot be run at all (notInstalled). */
export function runLima(
  c: LimaCall,
  options: { input?: string; onLine?: (line: string) => void; timeoutMs?: number } = {},
): Promise<LimaResult> {
  return new Promise((resolve, reject) => {
    const child = spawnLima(c);
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
      const rows = (partial + t).split(/\r?\n/);
      partial = rows.pop()!;
      for (const r of rows) options.onLine?.(r);
    });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject((e as NodeJS.ErrnoException).code === 'ENOENT' ? notInstalled() : e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // a call that exits before reading all of its input
    if (options.input) createReadStream(options.input).pipe(child.stdin);
    else child.stdin.end();
  });
}
