// wsl.exe as the launcher runs it: found where Windows puts it (the Store WSL first), always with
// WSL_UTF8=1, its output decoded whether it obeyed (UTF-8) or not (UTF-16LE, an older wsl.exe).
// AIWAY_WSL_EXE names another wsl.exe: only the tests use it, to run the stand-in in test/support/.
import { existsSync } from 'node:fs';
import { Failure } from '../../appliance/failures.ts';
import { runCommand } from '../host/probe.ts';
import { decodeText } from '../host/text.ts';
import { WSL_ENV, wslCandidates } from './command.ts';
import { WSL_FIXES } from './state.ts';

export const wslEnv = (): NodeJS.ProcessEnv => ({ ...process.env, ...WSL_ENV });

/** The wsl.exe to run, or a Failure saying how to install WSL. */
export function findWsl(): string {
  const named = process.env.AIWAY_WSL_EXE;
  if (named) return named;
  const found = wslCandidates(process.env).find((p) => existsSync(p));
  if (found) return found;
  const { problem, fix } = WSL_FIXES['not-installed'];
  throw new Failure('prerequisite', `${problem} (wsl.exe was not found)`, { fix });
}

export interface WslRun {
  text: string;
  exit: number | null;
  timedOut: boolean;
}

/** One run of wsl.exe: its standard output and error as one text, and its exit code. */
export async function runWsl(exe: string, args: readonly string[], timeoutMs = 60_000): Promise<WslRun> {
  const r = await runCommand({ name: 'wsl', argv: [exe, ...args], timeoutMs }, wslEnv());
  if (r === null) return { text: `${exe} could not be started`, exit: null, timedOut: false };
  const text = [decodeText(r.out), decodeText(r.err)].filter((t) => t.trim()).join('\n');
  return { text, exit: r.exit ?? null, timedOut: r.timeoutMs !== undefined };
}

/** The last lines of a wsl.exe answer, for a failure's detail. */
export const lastLines = (text: string, n = 4): string =>
  text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .slice(-n)
    .join('\n');
