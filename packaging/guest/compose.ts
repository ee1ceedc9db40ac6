// What a guest holds, as root filesystem entries: the distribution's root, the agent, the
// appliance's root at /appliance, the appliance's settings for the init, and for a virtual machine
// the init and the kernel's modules. Pure: the same inputs give the same entries.
import type { TarEntry } from '../../appliance/tar.ts';
import type { GuestKernel } from './kernel.ts';
import { overlay, under, withParents } from './tree.ts';

export interface GuestParts {
  /** The distribution's root filesystem. */
  base: TarEntry[];
  agent: Uint8Array;
  /** The init's busybox: a path in `base`, or a static busybox to carry. */
  busybox: string | Uint8Array;
  appliance: { root: TarEntry[]; command: readonly string[]; workspaceBytes: number; workspaceExec: boolean };
}

const enc = new TextEncoder();
const empty = new Uint8Array();
const dir = (path: string, mode = 0o755): TarEntry => ({ path, data: empty, directory: true, mode });
const text = (path: string, s: string, mode = 0o644): TarEntry => ({ path, data: enc.encode(s), mode });

/** A word for the init's shell, quoted so that nothing in it is special. */
export const shellWord = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** The virtio-serial port the agent's channel is on in a virtual machine. */
export const CHANNEL_PORT = 'ai-way';

/** /etc/ai-way/settings.sh: what the init sources before it starts the agent. */
export function guestSettings(a: Omit<GuestParts['appliance'], 'root'>): string {
  if (!a.command.length || a.command.some((w) => /[\0\n]/.test(w))) throw new Error('the app command must be words without newlines');
  return [
    '# The appliance the guest runs, read by the init (packaging/guest/init.sh).',
    `channel_port=${CHANNEL_PORT}`,
    `workspace_bytes=${a.workspaceBytes}`,
    `workspace_exec=${a.workspaceExec ? 1 : 0}`,
    `set -- ${a.command.map(shellWord).join(' ')}`,
    '',
  ].join('\n');
}

/** The guest WSL imports, and the base of the virtual machine's. */
export function guestRoot(p: GuestParts): TarEntry[] {
  const busybox: TarEntry =
    typeof p.busybox === 'string'
      ? { path: 'usr/lib/ai-way/busybox', data: empty, linkTarget: `/${p.busybox}` }
      : { path: 'usr/lib/ai-way/busybox', data: p.busybox, mode: 0o755 };
  return withParents(
    overlay(p.base, under('appliance', p.appliance.root), [
      busybox,
      { path: 'sbin/ai-way-agent', data: p.agent, mode: 0o755 },
      text('etc/ai-way/settings.sh', guestSettings(p.appliance)),
      ...['dev', 'proc', 'sys', 'tmp', 'mnt', 'workspace'].map((d) => dir(d, d === 'tmp' ? 0o1777 : d === 'workspace' ? 0o700 : 0o755)),
    ]),
  );
}

/** WSL's settings for the guest: no Windows drives, no Windows programs, nothing started at boot. */
const WSL_CONF = [
  '# ai-way guest: nothing of Windows inside, and nothing but the agent runs.',
  '[automount]',
  'enabled = false',
  'mountFsTab = false',
  '[interop]',
  'enabled = false',
  'appendWindowsPath = false',
  '[boot]',
  'systemd = false',
  '',
].join('\n');

/** `start`: packaging/guest/wsl-start.sh, what `wsl.exe --exec` runs before the agent. */
export const wslRoot = (p: GuestParts, start: string) =>
  overlay(guestRoot(p), [text('etc/wsl.conf', WSL_CONF), text('usr/lib/ai-way/wsl-start.sh', start, 0o755)]);

/** The initramfs of a virtual machine: the guest, the init, and the modules it loads (in order, /etc/ai-way/modules). */
export function vmRoot(p: GuestParts, init: string, kernel: GuestKernel): TarEntry[] {
  return withParents(
    overlay(guestRoot(p), kernel.modules, [
      text('init', init, 0o755),
      text('etc/ai-way/modules', kernel.modules.map((m) => `${m.path}\n`).join('')),
    ]),
  );
}
