// What every appliance image holds besides its app: the agent, the two users, and the folders the
// agent mounts over or the app writes to. Shared by the selftest and ai-way images.
import { readFileSync } from 'node:fs';
import type { TarEntry } from '../appliance/tar.ts';

const empty = new Uint8Array();
export const dirEntry = (p: string, mode = 0o755): TarEntry => ({ path: p, data: empty, directory: true, mode });
const text = (s: string) => new TextEncoder().encode(s);

/** The agent (root) and the app's user (1000, native/agent/sandbox.h); `shell` is each user's login shell. */
export function applianceBase(agent: string, shell: string): TarEntry[] {
  return [
    { path: 'sbin/ai-way-agent', data: new Uint8Array(readFileSync(agent)), mode: 0o755 },
    { path: 'etc/passwd', data: text(`root:x:0:0:root:/:${shell}\napp:x:1000:1000:app:/workspace:${shell}\n`) },
    { path: 'etc/group', data: text('root:x:0:\napp:x:1000:\n') },
    dirEntry('dev'),
    dirEntry('proc'),
    dirEntry('sys'),
    dirEntry('tmp', 0o1777),
    dirEntry('workspace', 0o700),
  ];
}
