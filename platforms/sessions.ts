// A session as `ai-way ps` shows it, found where it lives: each adapter lists what it made (a
// container, a virtual machine, a distribution) and this says, from the owner its name or labels
// carry, whether the launcher still runs. One shape for every way, so ps and stop need not know them.
import { readFileSync } from 'node:fs';
import type { PlatformAdapter } from '../appliance/plan.ts';
import { stillRunning, type VmOwner } from './process-identity.ts';

export interface SessionFound {
  /** The session's id (what `stop` takes). */
  id: string;
  platform: PlatformAdapter;
  /** The appliance's name, where the session recorded it (a container label); null where it did not. */
  appliance: string | null;
  /** When it started (ISO 8601), where the host can tell. */
  started: string | null;
  launcherPid: number | null;
  /** running: its launcher lives (stop signals it); orphaned: the launcher is gone and the next start reaps it. */
  state: 'running' | 'orphaned';
  /** What holds it on this host: a container's or virtual machine's name. */
  holder: string;
}

export type LauncherRuns = (pid: number, start: string | null) => boolean;

/** A session of a holder whose name or labels give this owner. Pure but for `launcherRuns`. */
export function sessionOf(
  platform: PlatformAdapter,
  holder: string,
  owner: Pick<VmOwner, 'sessionId' | 'launcherStart'> & { launcherPid: number | null },
  facts: { appliance?: string | null; started?: string | null } = {},
  launcherRuns: LauncherRuns = stillRunning,
  bootSeconds: number | null = bootTime(),
): SessionFound {
  const alive = owner.launcherPid !== null && launcherRuns(owner.launcherPid, owner.launcherStart);
  return {
    id: owner.sessionId,
    platform,
    appliance: facts.appliance ?? null,
    // Without a time of its own, the launcher's start is the session's (within the second it takes to boot).
    started: facts.started ?? startedAt(owner.launcherStart, bootSeconds),
    launcherPid: owner.launcherPid,
    state: alive ? 'running' : 'orphaned',
    holder,
  };
}

/** Clock ticks a second in /proc's start times: 100 on every Linux build ai-way runs on. */
const TICKS_PER_SECOND = 100;

/** The wall-clock time of a start recorded as clock ticks since boot (process-identity.ts), or null. Pure. */
export function startedAt(ticks: string | null, bootSeconds: number | null): string | null {
  if (ticks === null || bootSeconds === null || !/^\d+$/.test(ticks)) return null;
  return new Date((bootSeconds + Number(ticks) / TICKS_PER_SECOND) * 1000).toISOString();
}

/** When this host booted (seconds since the epoch, /proc/stat's btime), or null where there is no /proc. */
export function bootTime(): number | null {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
