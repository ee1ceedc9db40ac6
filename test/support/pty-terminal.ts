// The real CLI in a real pseudo-terminal (node-pty), as a person's terminal runs it: the screen as
// plain text to wait on, keys typed one at a time, quitting as a person does.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import pty from 'node-pty';
import { rootful, sessionContainers } from './sessions.ts';

export const BIN = path.resolve(import.meta.dirname, '../../bin/ai-way.mjs');
export const podman = spawnSync('podman', ['--version']).error === undefined;
if (!podman) console.warn('SKIPPING terminal UI sessions: podman is not installed (npm run setup installs it)');

/** A person's environment: no CI variables (under them Ink draws only the last frame). */
function personEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(CI|CI_.*|CONTINUOUS_INTEGRATION|BUILD_NUMBER|RUN_ID)$/.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

export function terminal(
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  o: { args?: string[]; cols?: number; rows?: number } = {},
) {
  const term = pty.spawn(process.execPath, [...nodeArgs, BIN, ...(o.args ?? [])], {
    name: env.TERM ?? 'xterm-256color',
    cols: o.cols ?? 80,
    rows: o.rows ?? 24,
    cwd: os.tmpdir(),
    env: personEnv(env),
  });
  let out = '';
  term.onData((d) => {
    out += d;
  });
  const exit = new Promise<number>((res) => term.onExit(({ exitCode }) => res(exitCode)));
  const plain = () => out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');
  const waitFor = async (text: string | RegExp, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (typeof text === 'string' ? plain().includes(text) : text.test(plain())) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`screen never showed ${text}; it shows:\n${plain().slice(-1500)}`);
  };
  /** Keys sent in one burst arrive as one input: one at a time, as a person types. */
  const type = async (keys: string) => {
    for (const k of keys) {
      term.write(k);
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  /** Quits as a person does: /quit, then the whole answer y and Enter. */
  const quit = async () => {
    await type('/quit\r');
    await waitFor('Quit and erase everything?');
    await type('y\r');
  };
  return { term, exit, plain, waitFor, type, quit, raw: () => out };
}

/** The containers of this terminal's ai-way (only what the test started: others may run sessions too). */
export const leftovers = (t: ReturnType<typeof terminal>) => sessionContainers(rootful, t.term.pid).join(' ');
