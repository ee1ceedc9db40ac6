// Distributions and folders a crashed session left: named ai-way-<session>-<launcher pid>-<start>
// (command.ts distroName), whose launcher is gone. Each is stopped, unregistered (its disk goes
// with it) and its folder removed; the person's own distributions are never touched.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { lines } from '../host/text.ts';
import { stillRunning } from '../process-identity.ts';
import { sessionOf, type LauncherRuns, type SessionFound } from '../sessions.ts';
import { distroOwner, distrosFolder, listArgs, terminateArgs, unregisterArgs } from './command.ts';
import { runWsl } from './wsl-exe.ts';

/** The names among these that are ai-way's distributions (or folders) whose launcher has ended. Pure. */
export function orphanedDistros(names: readonly string[], launcherRuns: (pid: number, start: string | null) => boolean): string[] {
  return names.filter((n) => {
    const owner = distroOwner(n);
    return owner !== null && !launcherRuns(owner.launcherPid, owner.launcherStart);
  });
}

/** ai-way's distributions among these names, as sessions. Pure but for `launcherRuns`. */
export const distroSessions = (names: readonly string[], launcherRuns: LauncherRuns = stillRunning): SessionFound[] =>
  names.flatMap((n) => {
    const owner = distroOwner(n);
    return owner ? [sessionOf('wsl2', n.trim(), owner, {}, launcherRuns)] : [];
  });

/** `wsl --list --quiet`: one name a line (none, with a message and an error exit, where there are none). */
export async function distroNames(exe: string): Promise<string[]> {
  const r = await runWsl(exe, listArgs());
  if (r.exit !== 0) return [];
  return lines(r.text)
    .map((l) => l.replace(/\0/g, '').trim())
    .filter(Boolean);
}

/** Stops and unregisters one distribution; says whether it is gone. */
export async function removeDistro(exe: string, name: string): Promise<boolean> {
  await runWsl(exe, terminateArgs(name));
  return (await runWsl(exe, unregisterArgs(name), 120_000)).exit === 0;
}

/** Removes what dead launchers left: their distributions, then their folders. Never rejects. */
export async function reapDistros(exe: string, localAppData: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of orphanedDistros(await distroNames(exe), stillRunning)) {
    if (await removeDistro(exe, name)) removed.push(`the WSL distribution ${name}`);
  }
  // A folder whose distribution is still registered holds its disk: it goes only with the distribution.
  const registered = new Set(await distroNames(exe));
  const folder = distrosFolder(localAppData, path.join);
  const folders = (await readdir(folder).catch(() => [] as string[])).filter((n) => !registered.has(n));
  for (const name of orphanedDistros(folders, stillRunning)) {
    await rm(path.join(folder, name), { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    removed.push(`the folder ${path.join(folder, name)}`);
  }
  return removed;
}
