// Virtual machines a crashed session left running: QEMU processes named as ai-way's (command.ts
// vmName) whose launcher is gone. Where QEMU died with its launcher there is nothing to find; this
// takes what a failed parent-death signal, or a host without one, left.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { stillRunning } from '../process-identity.ts';
import { ownerOf, type VmOwner } from './command.ts';
import { sessionOf, type LauncherRuns, type SessionFound } from '../sessions.ts';

export interface RunningProcess {
  pid: number;
  args: string[];
}

/** The processes among these that are ai-way's virtual machines, with their name and owner. Pure. */
function ownedVms(processes: readonly RunningProcess[]): { pid: number; name: string; owner: VmOwner }[] {
  return processes.flatMap(({ pid, args }) => {
    if (!path.basename(args[0] ?? '').startsWith('qemu-system-')) return [];
    const at = args.indexOf('-name');
    const name = at >= 0 ? (args[at + 1] ?? '') : '';
    const owner = ownerOf(name);
    return owner ? [{ pid, name, owner }] : [];
  });
}

/** The processes among these that are ai-way's virtual machines whose launcher has ended, with their owner. Pure. */
export function orphanedVms(processes: readonly RunningProcess[], launcherRuns: LauncherRuns): { pid: number; owner: VmOwner }[] {
  return ownedVms(processes)
    .filter(({ owner }) => !launcherRuns(owner.launcherPid, owner.launcherStart))
    .map(({ pid, owner }) => ({ pid, owner }));
}

/** ai-way's virtual machines among these processes, as sessions. Pure but for `launcherRuns`. */
export const vmSessions = (processes: readonly RunningProcess[], launcherRuns: LauncherRuns = stillRunning): SessionFound[] =>
  ownedVms(processes).map(({ name, owner }) => sessionOf('qemu', name, owner, {}, launcherRuns));

/** This user's QEMU sessions (root: everyone's, as root sees every process). Never rejects. */
export async function qemuSessions(): Promise<SessionFound[]> {
  const uid = process.getuid?.();
  const own = processes().filter((p) => uid === undefined || uid === 0 || ownerUid(p.pid) === uid);
  return vmSessions(own);
}

function ownerUid(pid: number): number | null {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return null;
  }
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
