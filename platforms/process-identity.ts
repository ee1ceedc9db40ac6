// A process named so that a later look can tell whether it still runs: its pid and its start time
// (field 22 of /proc/<pid>/stat, clock ticks since boot). A pid alone is not enough: the kernel
// gives a dead process's pid to new ones. Shared by the adapters: each reaps what its dead launchers left.
import { readFileSync } from 'node:fs';

/** The start time of a process, or null when it is gone or /proc does not show it. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name (field 2) is in parentheses and may hold anything, ")" and spaces included.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
    return start && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process recorded as this pid and start time still runs: the pid is alive and, where a
 * start time was recorded (older versions of ai-way recorded none) and /proc shows one, it is the same.
 */
export function stillRunning(pid: number, start: string | null): boolean {
  if (!processAlive(pid)) return false;
  const now = start === null ? null : processStartTime(pid);
  return now === null || now === start;
}

/** What a session records of the launcher that runs it. */
export const thisLauncher = () => ({ launcherPid: process.pid, launcherStart: processStartTime(process.pid) });

/**
 * Whose virtual machine this is (QEMU's -name, a Lima instance's name): the session, and the
 * launcher's pid and start time (reaping tells a dead launcher's).
 */
export interface VmOwner {
  sessionId: string;
  launcherPid: number;
  launcherStart: string | null;
}

const NAME = /^ai-way-([0-9a-f]+)-(\d+)-(\d+|unknown)$/;

/** A name for an owner; the Plan's steps give placeholders where the run gives numbers. */
export const vmName = (o: { sessionId: string; launcherPid: number | string; launcherStart: string | null }): string =>
  `ai-way-${o.sessionId}-${o.launcherPid}-${o.launcherStart ?? 'unknown'}`;

/** The owner such a name names, or null when it is not one of ai-way's. */
export function ownerOf(name: string): VmOwner | null {
  const m = NAME.exec(name);
  if (!m) return null;
  return { sessionId: m[1]!, launcherPid: Number(m[2]), launcherStart: m[3] === 'unknown' ? null : m[3]! };
}
