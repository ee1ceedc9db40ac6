// A session's CDI spec where rootful Podman reads specs (/var/run/cdi, memory-only). It lives only
// from the start until the container exists: Podman applies it at creation, so it is removed as
// soon as the appliance says hello, and a crashed session's file is reaped by the next one.
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CdiSpec } from '../../appliance/cdi.ts';
import { makeFolders } from '../make-folders.ts';
import { stillRunning, thisLauncher } from '../process-identity.ts';

export const CDI_RUN_DIR = '/var/run/cdi';
// ai-way-<session>-<launcher pid>[-<its start time>].json: they tell a crashed session's file from a live one's.
const FILE = /^ai-way-[0-9a-f]{12}-(\d+)(?:-(\d+))?\.json$/;

/** Each session gets its own vendor, so its devices never clash with another spec's (nvidia.com/gpu). */
export const sessionKind = (sessionId: string) => `ai-way-${sessionId}.local/gpu`;
const specPath = (sessionId: string, dir: string) => {
  const { launcherPid, launcherStart } = thisLauncher();
  return path.join(dir, `ai-way-${sessionId}-${launcherPid}${launcherStart ? `-${launcherStart}` : ''}.json`);
};

export async function installSessionSpec(spec: CdiSpec, sessionId: string, dir = CDI_RUN_DIR): Promise<{ kind: string; file: string }> {
  const kind = sessionKind(sessionId);
  const file = specPath(sessionId, dir);
  await makeFolders(dir, 0o755);
  // JSON: every CDI reader (Podman, nvbind) takes it; 0644 as the CDI registry expects.
  await writeFile(file, `${JSON.stringify({ ...spec, kind })}\n`, { mode: 0o644, flag: 'wx' });
  return { kind, file };
}

export async function removeSessionSpec(sessionId: string, dir = CDI_RUN_DIR): Promise<void> {
  await rm(specPath(sessionId, dir), { force: true });
}

/** Removes the spec files of sessions whose launcher is gone (it died before the appliance said hello). */
export async function reapSessionSpecs(dir = CDI_RUN_DIR): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale = names.filter((n) => {
    const m = FILE.exec(n);
    return m !== null && !stillRunning(Number(m[1]), m[2] ?? null);
  });
  await Promise.all(stale.map((n) => rm(path.join(dir, n), { force: true })));
  return stale;
}
