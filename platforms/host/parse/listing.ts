// The recorded listing of driver files: "path", "path/" (a folder) or "path -> target" (a link).
import path from 'node:path';

export type ListedKind = 'file' | 'folder' | 'link';

export interface Listing {
  /** path -> what it is, and a link's target as written */
  entries: ReadonlyMap<string, { kind: ListedKind; target: string | null }>;
}

export function parseListing(lines: readonly string[]): Listing {
  const entries = new Map<string, { kind: ListedKind; target: string | null }>();
  for (const line of lines) {
    const arrow = line.indexOf(' -> ');
    if (arrow > 0) entries.set(line.slice(0, arrow), { kind: 'link', target: line.slice(arrow + 4) });
    else if (line.endsWith('/') && line.length > 1) entries.set(line.slice(0, -1), { kind: 'folder', target: null });
    else if (line.startsWith('/')) entries.set(line, { kind: 'file', target: null });
  }
  return { entries };
}

/**
 * Where a listed path leads: the listed file at the end of its links, or null when a link leads
 * outside the listing, loops, or the path was not listed.
 */
export function resolveListed(l: Listing, p: string): string | null {
  let current = p;
  for (let hop = 0; hop < 16; hop++) {
    const e = l.entries.get(current);
    if (!e) return null;
    if (e.kind !== 'link') return current;
    current = path.posix.resolve(path.posix.dirname(current), e.target!);
  }
  return null;
}

/** Listed paths directly inside a folder. */
export function listedIn(l: Listing, folder: string): string[] {
  return [...l.entries.keys()].filter((p) => path.posix.dirname(p) === folder).sort();
}
