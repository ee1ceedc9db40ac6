// Version answers of the tools ai-way drives: podman, limactl, qemu, bolt.
import { lines } from '../text.ts';
import { firstVersion } from './linux.ts';

/**
 * "podman version 4.3.1", "limactl version 0.19.1", "QEMU emulator version 7.2.0 (Debian ...)", or
 * `podman version`'s block ("Version:      4.9.3", the client's first). Log lines a tool prints before
 * its answer (podman's "WARN[0000] ..." about cgroups, or time="..." level=warning) are not it.
 */
export function parseToolVersion(text: string): string | null {
  const rows = lines(text).filter((l) => l.trim() !== '' && !/^\s*(?:[A-Z]{4}\[\d+\]|time="[^"]*"\s+level=)/.test(l));
  const first = rows.find((l) => /version/i.test(l)) ?? rows[0] ?? '';
  return firstVersion(first.replace(/^.*?version\s*/i, ''));
}

export interface PodmanInfo {
  rootless: boolean | null;
  cgroupManager: string | null;
  cgroupVersion: string | null;
  ociRuntime: string | null;
  version: string | null;
}

/** `podman info --format json`. */
export function parsePodmanInfo(text: string): PodmanInfo | null {
  // biome-ignore lint/suspicious/noExplicitAny: a tool's untyped JSON; each field is checked before use
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const host = doc.host ?? {};
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    rootless:
      typeof host.security?.rootless === 'boolean' ? host.security.rootless : typeof host.rootless === 'boolean' ? host.rootless : null,
    cgroupManager: str(host.cgroupManager),
    cgroupVersion: str(host.cgroupVersion),
    ociRuntime: str(host.ociRuntime?.name),
    version: str(doc.version?.Version),
  };
}

export interface LimaInstance {
  name: string;
  status: string | null;
  vmType: string | null;
  arch: string | null;
}

/** `limactl list --json`: a stream of JSON objects (one a line, or pretty-printed), or one array. */
export function parseLimaList(text: string): LimaInstance[] {
  return (
    jsonValues(text)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      // biome-ignore lint/suspicious/noExplicitAny: a tool's untyped JSON; each field is checked before use
      .flatMap((o: any) =>
        o && typeof o.name === 'string'
          ? [
              {
                name: o.name,
                status: typeof o.status === 'string' ? o.status : null,
                vmType: typeof o.vmType === 'string' ? o.vmType : null,
                arch: typeof o.arch === 'string' ? o.arch : null,
              },
            ]
          : [],
      )
  );
}

/** Top-level JSON values written one after another; a damaged one is skipped. */
export function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth++ === 0) start = i;
    } else if ((ch === '}' || ch === ']') && depth > 0 && --depth === 0) {
      try {
        values.push(JSON.parse(text.slice(start, i + 1)));
      } catch {
        /* skip a damaged value */
      }
    }
  }
  return values;
}
