// QEMU as a process of the launcher's: started under what makes it die with the launcher, in a
// process group of its own (a Ctrl-C at the terminal is the launcher's to handle, with a wipe), with
// the agent's channel on a socket pair it inherits (descriptor 3: nothing on disk, nothing listening).
// Also what the host says of /dev/kvm now, and the test boot that proves an accelerator.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { type KvmState, kvmState, type ProbeOutcome } from './accelerator.ts';
import { PANIC_LINE } from './command.ts';
import { keepLines } from '../keep-lines.ts';

export { CHANNEL_FD } from './command.ts';
export { keepLines } from '../keep-lines.ts';

/** Whether a program is there to run. */
export const installed = (program: string): boolean => !spawnSync(program, ['--version'], { stdio: 'ignore', timeout: 5_000 }).error;

/** This host's /dev/kvm, as this user sees it now. */
export function liveKvm(): KvmState {
  if (process.platform !== 'linux') return 'unknown';
  const device = existsSync('/dev/kvm');
  let writable: boolean | null = null;
  if (device) {
    try {
      accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
      writable = true;
    } catch {
      writable = false;
    }
  }
  let modules: string[] | null = null;
  try {
    modules = readdirSync('/sys/module').filter((m) => m.startsWith('kvm'));
  } catch {
    /* no sysfs: the modules stay unknown */
  }
  return kvmState({ device, writable, modules });
}

/** Starts `command` under `prefix` (dieWithLauncher), its stdout and stderr read, the channel on CHANNEL_FD. */
export function startVm(prefix: readonly string[], command: readonly string[]): ChildProcess {
  const [program, ...args] = [...prefix, ...command];
  return spawn(program!, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true });
}

/** How long a test boot may take: a kernel under a working accelerator reaches its end well within it. */
export const PROBE_TIMEOUT_MS = 3_000;

/** Runs a test boot (probeCommand) and says whether the kernel reached its end in time. */
export function probeBoot(prefix: readonly string[], command: readonly string[], timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeOutcome> {
  const started = performance.now();
  const [program, ...args] = [...prefix, ...command];
  return new Promise((resolve) => {
    const child = spawn(program!, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const errors: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      out += t;
    });
    keepLines(child.stderr, errors, 5);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => errors.push(e.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (PANIC_LINE.test(out)) resolve({ booted: true, ms: Math.round(performance.now() - started) });
      else if (signal === 'SIGKILL') resolve({ booted: false, detail: `no kernel started within ${timeoutMs / 1000} s` });
      else resolve({ booted: false, detail: errors.find((l) => /error|could not|failed/i.test(l)) ?? errors[0] ?? `QEMU exit ${code}` });
    });
  });
}
