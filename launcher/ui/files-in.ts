// Files into the running appliance: those a drop, a paste or a typed line names, each sent with its
// progress shown, and the workspace's list read again after each.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FileRefused } from '../session/files.ts';
import type { Session } from '../session/session.ts';
import { pastedPaths, pathLike } from './paste.ts';
import { documentOutcome } from '../session/app-api.ts';
import type { DocOutcome, Store, Upload } from './state.ts';

/** How long the app is asked what it made of a file: indexing a small file takes a moment, a large PDF longer. */
const INDEXING_MS = 60_000;

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
      void watchDocument(session, store, done.name);
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

/** Shows what the app made of a file added (apps that list their documents): indexing, then indexed or refused and why. */
export async function watchDocument(session: Session, store: Store, name: string): Promise<void> {
  const set = (d: DocOutcome | null) =>
    store.update((s) => {
      const { [name]: _, ...docs } = s.docs;
      return { docs: d ? { ...docs, [name]: d } : docs };
    });
  set({ state: 'indexing', text: 'indexing' });
  const d = await session.documentState(name, INDEXING_MS).catch(() => null);
  set(d ? { state: d.status, text: documentOutcome(d) } : null);
}
