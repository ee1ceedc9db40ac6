// A root filesystem as a list of entries (TarEntry: files, folders, symbolic links with their
// modes and owners), built from archives and written out as tar, cpio or an OCI layer.
import { type TarEntry, tarItems } from '../../appliance/tar.ts';

// An upstream root filesystem has a few thousand entries; a guest's appliance may have more.
const MAX_ENTRIES = 1_000_000;

/** "./bin/sh", "/bin/sh" and "bin/sh/" all name "bin/sh"; the root itself is "". */
export const normalPath = (p: string) => p.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');

/** The entries of a tar archive: files, folders and symbolic links; a hard link becomes a copy of its target. */
export function treeFromTar(tar: Uint8Array, what: string): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const item of tarItems((offset, length) => tar.subarray(offset, offset + length), tar.length, MAX_ENTRIES)) {
    const path = normalPath(item.path);
    if (!path) continue;
    const meta = { path, mode: item.mode & 0o7777, uid: item.uid, gid: item.gid };
    const data = tar.subarray(item.offset, item.offset + item.size);
    if (item.type === '0' || item.type === '\0' || item.type === '7') byPath.set(path, { ...meta, data });
    else if (item.type === '5') byPath.set(path, { ...meta, data: new Uint8Array(), directory: true });
    else if (item.type === '2') byPath.set(path, { ...meta, data: new Uint8Array(), linkTarget: item.linkTarget });
    else if (item.type === '1') {
      const target = byPath.get(normalPath(item.linkTarget));
      if (!target || target.directory || target.linkTarget !== undefined)
        throw new Error(`${what}: ${path} is a hard link to ${item.linkTarget}, which is not a file before it`);
      byPath.set(path, { ...meta, data: target.data });
    } else throw new Error(`${what}: ${path} is a device, FIFO or other special file (tar type ${item.type}), which a guest cannot carry`);
  }
  return [...byPath.values()];
}

/** Removes a path and everything under it. */
export function removeTree(byPath: Map<string, TarEntry>, path: string): void {
  byPath.delete(path);
  for (const p of byPath.keys()) if (p.startsWith(`${path}/`)) byPath.delete(p);
}

/** Puts an entry in place of the one at its path; a folder replaced by a file or link takes its contents along. */
export function place(byPath: Map<string, TarEntry>, e: TarEntry): void {
  if (!e.directory && byPath.get(e.path)?.directory) removeTree(byPath, e.path);
  byPath.set(e.path, e);
}

/** The layers' entries, later ones in place of earlier ones at the same path. */
export function overlay(...layers: readonly (readonly TarEntry[])[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const layer of layers) for (const e of layer) place(byPath, e);
  return [...byPath.values()];
}

/** The entries moved under a folder (`appliance`), that folder included. */
export function under(folder: string, entries: readonly TarEntry[], mode = 0o755): TarEntry[] {
  return [{ path: folder, data: new Uint8Array(), directory: true, mode }, ...entries.map((e) => ({ ...e, path: `${folder}/${e.path}` }))];
}

/** Every parent folder listed (mode 0755, root's) where the entries do not list it. */
export function withParents(entries: readonly TarEntry[]): TarEntry[] {
  const have = new Set(entries.map((e) => e.path));
  const added: TarEntry[] = [];
  for (const e of entries)
    for (let i = e.path.indexOf('/'); i > 0; i = e.path.indexOf('/', i + 1)) {
      const parent = e.path.slice(0, i);
      if (!have.has(parent)) {
        have.add(parent);
        added.push({ path: parent, data: new Uint8Array(), directory: true, mode: 0o755 });
      }
    }
  return [...entries, ...added];
}
