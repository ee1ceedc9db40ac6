// wsl.exe's command lines for a session, as pure functions: where wsl.exe is, the variable that
// makes it write UTF-8, the private distribution's name (the session and the launcher, so reaping
// can tell whose it is) and folder, its import, the agent started in it, and its end.
import path from 'node:path';
import { ownerOf, vmName, type VmOwner } from '../process-identity.ts';

/** wsl.exe writes UTF-16LE unless told otherwise; every call tells it (an old wsl.exe ignores it). */
export const WSL_ENV = { WSL_UTF8: '1' } as const;

/** Where wsl.exe may be, in order: the Store WSL first (it has --version), then the one built into Windows. */
export function wslCandidates(env: Record<string, string | undefined>): string[] {
  const programFiles = env.ProgramW6432 ?? env.ProgramFiles ?? 'C:\\Program Files';
  const windows = env.SystemRoot ?? env.windir ?? 'C:\\Windows';
  return [path.win32.join(programFiles, 'WSL', 'wsl.exe'), path.win32.join(windows, 'System32', 'wsl.exe')];
}

/** A distribution is named as ai-way's virtual machines are (process-identity.ts): the session and its launcher. */
export const distroName = vmName;

/** The owner a distribution's (or folder's) name names, or null when it is not ai-way's. */
export const distroOwner = (name: string): VmOwner | null => ownerOf(name.trim());

/** The folder of ai-way's distributions: under the user's local app data, one folder each. */
export const distrosFolder = (localAppData: string, join = path.win32.join): string => join(localAppData, 'ai-way', 'wsl');

export const importArgs = (name: string, folder: string, tarball: string): string[] => [
  '--import',
  name,
  folder,
  tarball,
  '--version',
  '2',
];
export const terminateArgs = (name: string): string[] => ['--terminate', name];
export const unregisterArgs = (name: string): string[] => ['--unregister', name];
export const listArgs = (): string[] => ['--list', '--quiet'];
export const STATUS_ARGS: readonly string[] = ['--status'];
export const VERSION_ARGS: readonly string[] = ['--version'];

/** In the guest (packaging/guest/compose.ts): its busybox, the start script the exec runs, the agent. */
export const GUEST_BUSYBOX = '/usr/lib/ai-way/busybox';
export const GUEST_START = '/usr/lib/ai-way/wsl-start.sh';
export const GUEST_AGENT = '/sbin/ai-way-agent';

/** What WSL runs the guest on, as the agent passes it on in its report. */
export const WSL_ACCELERATOR = 'hyperv';

export interface AgentSpec {
  workspaceBytes: number;
  workspaceExec: boolean;
  shmBytes: number;
  memBytes: number;
  pids: number;
  cpus: number;
  /** Device nodes for the app (WSL's GPU: /dev/dxg). */
  devices: readonly string[];
  /** Folders for the app, read-only (WSL's GPU libraries and driver store). */
  folders: readonly string[];
  command: readonly string[];
}

/**
 * The agent in the distribution: `--exec` runs no shell and no init of WSL's distribution, only the
 * guest's start script (which mounts the workspace and the appliance read-only) and then the agent,
 * whose standard input and output are the channel.
 */
export function agentArgs(name: string, a: AgentSpec): string[] {
  return [
    '-d',
    name,
    '--exec',
    GUEST_BUSYBOX,
    'sh',
    GUEST_START,
    String(a.workspaceBytes),
    a.workspaceExec ? '1' : '0',
    GUEST_AGENT,
    '--root',
    '/appliance',
    '--workspace',
    '/workspace',
    '--shm-size',
    String(a.shmBytes),
    '--memory',
    String(a.memBytes),
    '--pids',
    String(a.pids),
    '--cpus',
    String(Number(a.cpus.toFixed(3))),
    '--accelerator',
    WSL_ACCELERATOR,
    ...a.devices.flatMap((d) => ['--device', d]),
    ...a.folders.flatMap((f) => ['--read-only', f]),
    '--',
    ...a.command,
  ];
}

/** WSL2's GPU in a distribution: the device node, and Windows' driver libraries and driver store. */
export const WSL_GPU = { devices: ['/dev/dxg'], folders: ['/usr/lib/wsl/lib', '/usr/lib/wsl/drivers'] } as const;
