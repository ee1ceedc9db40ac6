// Instances a crashed session left in ai-way's Lima home: named as ai-way's (the session, the
// launcher's pid and start time) with that launcher gone. Lima's host agent outlives the launcher
// by design, so this is what ends a machine whose launcher was killed.
import { parseLimaList } from '../host/parse/tools.ts';
import { ownerOf, stillRunning, type VmOwner } from '../process-identity.ts';
import { sessionOf, type LauncherRuns, type SessionFound } from '../sessions.ts';

/** The instances in a `limactl list --json` answer that are ai-way's, with their owner. Pure. */
function ownedInstances(listJson: string): { name: string; status: string | null; owner: VmOwner }[] {
  return parseLimaList(listJson).flatMap(({ name, status }) => {
    const owner = ownerOf(name);
    return owner ? [{ name, status, owner }] : [];
  });
}

/** The instances in a `limactl list --json` answer that are ai-way's and whose launcher has ended. Pure. */
export const orphanedInstances = (
  listJson: string,
  launcherRuns: LauncherRuns,
): { name: string; status: string | null; owner: VmOwner }[] =>
  ownedInstances(listJson).filter(({ owner }) => !launcherRuns(owner.launcherPid, owner.launcherStart));

/** ai-way's instances in a `limactl list --json` answer, as sessions. Pure but for `launcherRuns`. */
export const instanceSessions = (listJson: string, launcherRuns: LauncherRuns = stillRunning): SessionFound[] =>
  ownedInstances(listJson).map(({ name, owner }) => sessionOf('lima', name, owner, {}, launcherRuns));

/** Deletes each orphan (`delete --force` stops it first); says what it removed. */
export async function reapInstances(
  list: () => Promise<string>,
  remove: (name: string) => Promise<boolean>,
  launcherRuns = stillRunning,
): Promise<string[]> {
  const removed: string[] = [];
  for (const { name, owner } of orphanedInstances(await list(), launcherRuns)) {
    if (await remove(name)) removed.push(`the virtual machine of session ${owner.sessionId} (Lima instance ${name})`);
  }
  return removed;
}
