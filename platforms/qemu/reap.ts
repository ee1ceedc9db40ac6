// Virtual machines a crashed session left running: QEMU processes named as ai-way's (command.ts
// vmName) whose launcher is gone. Where QEMU died with its launcher there is nothing to find; this
// takes what a failed parent-death signal, or a host without one, left.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stillRunning } from '../process-identity.ts';
import { ownerOf, type VmOwner } from './command.ts';

export interface RunningProcess {
  pid: number;
  args: string[];
}

/** The processes among these that are ai-way's virtual machines whose launcher has ended, with their owner. Pure. */
export function orphanedVms(
  processes: readonly RunningProcess[],
  launcherRuns: (pid: number, start: string | null) => boolean,
): { pid: number; owner: VmOwner }[] {
  return processes.flatMap(({ pid, args }) => {
    if (!path.basename(args[0] ?? '').startsWith('qemu-system-')) return [];
    const name = args.indexOf('-name');
    const owner = name >= 0 ? ownerOf(args[name + 1] ?? '') : null;
    return owner && !launcherRuns(owner.launcherPid, owner.launcherStart) ? [{ pid, owner }] : [];
  });
}

/** This host's processes and their arguments, from /proc (none where there is no /proc). */
function processes(): RunningProcess[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  return pids.flatMap((pid) => {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return [{ pid: Number(pid), args: args.slice(0, -1) }];
    } catch {
      return []; // ended meanwhile, or not ours to read
    }
  });
}

/** Kills the virtual machines of launchers that are gone; says what it removed. Never rejects. */
export async function reapVms(): Promise<string[]> {
  const removed: string[] = [];
  for (const { pid, owner } of orphanedVms(processes(), stillRunning)) {
    try {
      process.kill(pid, 'SIGKILL');
      removed.push(`the virtual machine of session ${owner.sessionId} (QEMU ${pid})`);
    } catch {
      /* gone meanwhile, or another user's */
    }
  }
  return removed;
}
