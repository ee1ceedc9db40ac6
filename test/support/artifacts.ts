// Builds Artifacts for tests from recorded fixture outputs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Artifacts, CommandRecord, HostInfo } from '../../platforms/host/artifacts.ts';
import { FIXTURES } from '../contract/fixtures.ts';

const enc = new TextEncoder();

/** A recorded fixture's bytes: fixture('nvidia-smi-L', 'dual-a10'). */
export function fixture(artifact: string, name: string, ext = '.out'): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, artifact, name + ext)));
}

export interface HostSpec {
  host?: Partial<HostInfo>;
  files?: Record<string, string | Uint8Array>;
  devices?: string[] | null;
  commands?: Record<
    string,
    Uint8Array | string | (Omit<CommandRecord, 'out' | 'err'> & { out?: Uint8Array | string; err?: Uint8Array | string })
  >;
}

const bytes = (v: string | Uint8Array | undefined) => (v === undefined ? new Uint8Array() : typeof v === 'string' ? enc.encode(v) : v);

export function artifacts(spec: HostSpec = {}): Artifacts {
  const commands = new Map<string, CommandRecord>();
  for (const [name, v] of Object.entries(spec.commands ?? {})) {
    if (typeof v === 'string' || v instanceof Uint8Array) commands.set(name, { out: bytes(v), exit: 0 });
    else {
      const { out, err, ...rest } = v;
      commands.set(name, { ...rest, out: bytes(out), ...(err === undefined ? {} : { err: bytes(err) }) });
    }
  }
  return {
    host: { os: 'linux', arch: 'x64', totalMemBytes: 32 * 1024 ** 3, cpus: 8, ...spec.host },
    files: new Map(Object.entries(spec.files ?? {}).map(([k, v]) => [k, bytes(v)])),
    devices: spec.devices === undefined ? [] : spec.devices,
    commands,
  };
}

/**
 * A recorded `ls -l` (of DIR, or of full paths) as the probe records it: character devices into
 * the device list, everything else into the listing ("path", "path/", "path -> target").
 */
export function fromLsLong(text: string, dir = ''): { devices: string[]; listing: string[] } {
  const devices: string[] = [];
  const listing: string[] = [];
  const row = /^([-dlcbps])[rwxsStT-]{9}[+.@]?\s+\d+\s+\S+\s+\S+\s+(?:\d+,\s*\d+|\S+)\s+\S+\s+\S+\s+\S+\s+(.+)$/;
  for (const line of text.split('\n')) {
    const m = row.exec(line.trim());
    if (!m) continue;
    const [name, target] = m[2]!.split(' -> ');
    if (name === '.' || name === '..') continue;
    const full = name!.startsWith('/') ? name! : path.posix.join(dir, name!);
    if (m[1] === 'c') devices.push(full);
    else listing.push(m[1] === 'l' ? `${full} -> ${target}` : m[1] === 'd' ? `${full}/` : full);
  }
  return { devices, listing };
}
