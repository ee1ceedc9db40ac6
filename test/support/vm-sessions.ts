// Sessions in QEMU virtual machines, as tests see them: the isolation facts a VM session proves, the
// launcher's QEMU processes (found by the label the adapter gives them),
// runs of the CLI with a temp folder and a cache of their own (so what they leave can be seen), and
// a stand-in for a guest that hangs: a kernel command line that makes busybox's sleep the init.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { IsolationFact } from '../../appliance/isolation.ts';
import { ownerOf } from '../../platforms/qemu/command.ts';
import { BIN } from './rootless.ts';
import { rootful, type Runner } from './sessions.ts';

/** A VM session's facts: every one proven without a warning, the app's limits and its user namespace among them. */
export function expectGuestFacts(
  facts: readonly Pick<IsolationFact, 'id' | 'ok' | 'warning'>[],
  notEnforced: readonly string[] = [],
): void {
  expect(facts.filter((f) => !f.ok || (f.warning && !notEnforced.includes(f.id))).map((f) => f.id)).toEqual([]);
  expect(facts.map((f) => f.id)).toEqual(
    expect.arrayContaining([
      'network',
      'outbound',
      'read-only-root',
      'workspace',
      'seccomp',
      'user-namespace',
      'memory-limit',
      'pids-limit',
    ]),
  );
}

/** The pids of the QEMU processes labelled as launcher `pid`'s. */
export function vmsOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const args = readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0');
        const name = args.indexOf('-name');
        return path.basename(args[0] ?? '').startsWith('qemu-system-') && ownerOf(args[name + 1] ?? '')?.launcherPid === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether a process has ended (a zombie waiting for its reaper has: it holds no memory and runs nothing). */
export function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** The processes of these still running after `withinMs` (none is the wanted answer). */
export async function stillRunningAfter(pids: readonly number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  let left = pids.filter((p) => !ended(p));
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter((p) => !ended(p));
  }
  return left;
}

/** Polls until `found` gives something (or `withinMs` passes), and gives it. */
export async function waitFor<T>(found: () => T[], withinMs: number): Promise<T[]> {
  const deadline = Date.now() + withinMs;
  let now = found();
  while (!now.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    now = found();
  }
  return now;
}

/** A launcher run as root (QEMU's guests are not in the test user's copy) with its own temp folder and cache. */
export function vmRunner(env: Record<string, string> = {}): Runner & { tmp: string; cache: string } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ai-way-vm-tmp-'));
  const cache = mkdtempSync(path.join(os.tmpdir(), 'ai-way-vm-cache-'));
  return {
    ...rootful,
    tmp,
    cache,
    aiWay: (args, nodeArgs = []) =>
      spawn(process.execPath, [...nodeArgs, BIN, ...args], {
        env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp, XDG_CACHE_HOME: cache, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
        cwd: '/',
      }),
  };
}

/**
 * A file for `node --require` that makes every guest the launcher boots hang: busybox's sleep is the
 * init, so no agent ever opens the channel or powers the guest off. Only QEMU's dying with the launcher ends it.
 */
export function hungGuest(dir: string): string {
  const file = path.join(dir, 'hung-guest.cjs');
  writeFileSync(
    file,
    `const cp = require('node:child_process');
const spawn = cp.spawn;
cp.spawn = function (program, args, ...rest) {
  const at = Array.isArray(args) ? args.indexOf('-append') : -1;
  if (at >= 0 && [program, ...args].some((a) => /qemu-system-/.test(a))) {
    args = [...args];
    args[at + 1] += ' rdinit=/usr/lib/ai-way/busybox -- sleep 600';
  }
  return spawn.call(this, program, args, ...rest);
};
require('node:module').syncBuiltinESMExports();
`,
  );
  chmodSync(file, 0o644);
  return file;
}
