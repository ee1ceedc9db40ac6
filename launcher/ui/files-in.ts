// Files into the running appliance: those a drop, a paste or a typed line names, each sent with its
// progress shown, and the workspace's list read again after each.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FileRefused } from '../session/files.ts';
import type { Session } from '../session/session.ts';
import { pastedPaths, pathLike } from './paste.ts';
import type { Store, Upload } from './state.ts';

/** The existing files a drop or a typed line names; else, for a line shaped like paths, those paths (to be refused as not found). */
export function filePaths(text: string): string[] | null {
  return pastedPaths(text, existsSync, process.platform) ?? pathLike(text, process.platform);
}

/** Sends each file in turn; with no appliance running (the ready screen always has one) each is refused. */
export async function sendFiles(session: Session | null, store: Store, paths: string[]): Promise<void> {
  for (const p of paths) {
    const name = path.basename(p);
    store.update((s) => ({ uploads: [...s.uploads.filter((u) => u.name !== name), { name, sent: 0, total: 0, state: 'sending' }] }));
    const set = (u: Partial<Omit<Upload, 'name'>>) =>
      store.update((s) => ({ uploads: s.uploads.map((x) => (x.name === name ? { ...x, ...u } : x)) }));
    try {
      if (!session) throw new Error('no appliance is running');
      const done = await session.addFile(p, (sent, total) => set({ sent, total }));
      set({ sent: done.size, total: done.size, state: 'done' });
    } catch (e) {
      // The file named once: a refusal names it already.
      set({ state: 'refused', message: e instanceof FileRefused ? e.message : `${name}: ${(e as Error).message}` });
    }
    await refreshFiles(session, store);
  }
}

export async function refreshFiles(session: Session | null, store: Store): Promise<void> {
  if (!session) return;
  const l = await session.listFiles().catch(() => null);
  if (l) store.update(() => ({ files: l.files, freeBytes: l.freeBytes, totalBytes: l.totalBytes }));
}
