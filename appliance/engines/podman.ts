// Turns a Plan into the one `podman run` that starts the appliance. Pure: the flags are the
// engine's share of the isolation, the agent's own sandbox does the rest, and the report measured
// inside the app's sandbox is what proves it.
import type { CdiContainerEdits } from '../cdi.ts';
import { MODEL_MOUNT } from '../plan-model.ts';

/** What this host's Podman needs, learned once by a canary container (platforms/linux). */
export interface PodmanProfile {
  /** Global flags that make it work here, e.g. ["--runtime", "runc", "--cgroup-manager", "cgroupfs"]. */
  globalArgs: string[];
  /** Whether an explicit nofile ulimit is needed (the default one is refused on some hosts). */
  nofileUlimit: boolean;
  /**
   * How each session gets user ids of its own: rootless Podman allocates a free part of the user's
   * subordinate ids (`--userns=auto`); rootful Podman maps onto a range the session picks.
   */
  userns: 'auto' | 'rootful';
}

/** Ids each session's user namespace holds: the agent's root (0) and the app's own user (1000). */
export const USERNS_SIZE = 2048;
/** Rootful sessions map onto one of this many ranges of USERNS_SIZE host ids above ROOTFUL_ID_BASE. */
export const ROOTFUL_SLOTS = 1 << 20;
const ROOTFUL_ID_BASE = 1_000_000_000;

/** The flags that give a session its own ids; `slot` (rootful only) picks the host range. */
export function usernsArgs(mode: PodmanProfile['userns'], slot: number): string[] {
  if (mode === 'auto') return [`--userns=auto:size=${USERNS_SIZE}`];
  const map = `0:${ROOTFUL_ID_BASE + slot * USERNS_SIZE}:${USERNS_SIZE}`;
  return ['--uidmap', map, '--gidmap', map];
}

/**
 * Capabilities of the container's own user namespace, for the agent alone: it builds the app's
 * sandbox with them (namespaces, mounts, the app's user, the workspace's group) and then keeps only
 * DAC_OVERRIDE and FOWNER, to empty a workspace whatever the app did to it. The app gets none.
 */
export const AGENT_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'SETGID', 'SETUID', 'SETPCAP', 'NET_ADMIN', 'SYS_ADMIN'];

export interface PodmanRunSpec {
  sessionId: string;
  /** A number, or the Plan's placeholder for it (appliance/steps.ts). */
  launcherPid: number | string;
  /** The launcher's start time (pids are reused), where the host can tell. */
  launcherStart?: string | null;
  /** The appliance's name (a label `ai-way ps` reads back); absent: not recorded. */
  appliance?: string;
  /** Rootful only: which host id range this session maps onto (0 <= slot < ROOTFUL_SLOTS). */
  usernsSlot: number;
  image: string;
  command: readonly string[];
  workspaceBytes: number;
  workspaceExec: boolean;
  memBytes: number;
  /** Size of the app's own /dev/shm (the agent mounts it). */
  shmBytes: number;
  cpus: number;
  pids: number;
  gpu: PodmanGpu | null;
  /** The model file on the host, bound read-only at MODEL_MOUNT; null: none. */
  model?: string | null;
}

/**
 * The GPU's CDI edits. With `kind` set (rootful: the spec is installed where Podman reads CDI specs)
 * Podman applies them by device name; without it (rootless) they become the equivalent flags.
 */
export interface PodmanGpu {
  kind: string | null;
  devices: readonly string[];
  edits: Required<CdiContainerEdits>;
}

export function gpuArgs(gpu: PodmanGpu | null): string[] {
  if (!gpu) return [];
  if (gpu.kind) return gpu.devices.flatMap((d) => ['--device', `${gpu.kind}=${d}`]);
  const e = gpu.edits;
  return [
    ...e.deviceNodes.flatMap((n) => ['--device', `${n.path}:${n.path}:${n.permissions ?? 'rw'}`]),
    ...e.mounts.flatMap((m) => [
      '--volume',
      `${m.hostPath}:${m.containerPath}:${m.options.filter((o) => o !== 'bind' && o !== 'rbind').join(',')}`,
    ]),
    ...e.env.flatMap((v) => ['--env', v]),
  ];
}

/** Where the agent lives in every ai-way image. */
export const AGENT_PATH = '/sbin/ai-way-agent';
export const WORKSPACE = '/workspace';
export const SESSION_LABEL = 'ai-way.session';
export const LAUNCHER_PID_LABEL = 'ai-way.launcher-pid';
export const LAUNCHER_START_LABEL = 'ai-way.launcher-start';
/** The appliance's name, so that `ai-way ps` can say what a session runs. */
export const APPLIANCE_LABEL = 'ai-way.appliance';

export const containerName = (sessionId: string) => `ai-way-${sessionId}`;

/** The workspace: memory only, private, no device files or set-uid programs, no programs unless asked. */
export const workspaceTmpfs = (bytes: number, exec: boolean) =>
  `${WORKSPACE}:rw,size=${bytes},mode=0700,nodev,nosuid${exec ? '' : ',noexec'}`;

export function podmanRunArgs(p: PodmanProfile, s: PodmanRunSpec): string[] {
  const tmpfs = workspaceTmpfs(s.workspaceBytes, s.workspaceExec);
  return [
    ...p.globalArgs,
    'run',
    '-i',
    '--rm',
    '--pull=never',
    '--name',
    containerName(s.sessionId),
    '--label',
    `${SESSION_LABEL}=${s.sessionId}`,
    '--label',
    `${LAUNCHER_PID_LABEL}=${s.launcherPid}`,
    ...(s.launcherStart ? ['--label', `${LAUNCHER_START_LABEL}=${s.launcherStart}`] : []),
    ...(s.appliance ? ['--label', `${APPLIANCE_LABEL}=${s.appliance}`] : []),
    '--network=none',
    '--hostname',
    'ai-way',
    '--read-only',
    '--read-only-tmpfs=false',
    '--cap-drop=all',
    ...AGENT_CAPABILITIES.flatMap((c) => ['--cap-add', c]),
    '--security-opt',
    'no-new-privileges',
    ...usernsArgs(p.userns, s.usernsSlot),
    '--tmpfs',
    tmpfs,
    ...gpuArgs(s.gpu),
    // The model, one file, read-only and inert: the app reads it in place, nothing copies it into the workspace.
    ...(s.model ? ['--volume', `${s.model}:${MODEL_MOUNT}:ro,nosuid,nodev,noexec`] : []),
    '--memory',
    String(s.memBytes),
    '--cpus',
    String(s.cpus),
    '--pids-limit',
    String(s.pids),
    // Where a host gives no cgroups (rootless, cgroup v1): nproc counts the processes of the app's
    // user, which exists in this session only; data bounds each process's heap, which is not a
    // memory limit (shared memory escapes it), and the proof never calls it one.
    '--ulimit',
    `nproc=${s.pids}:${s.pids}`,
    '--ulimit',
    `data=${s.memBytes}:${s.memBytes}`,
    ...(p.nofileUlimit ? ['--ulimit', 'nofile=1024:1024'] : []),
    // The agent's stdout is the channel: no log driver may keep a copy of it on disk.
    '--log-driver=none',
    '--stop-timeout',
    '2',
    '--entrypoint',
    AGENT_PATH,
    s.image,
    '--workspace',
    WORKSPACE,
    '--shm-size',
    String(s.shmBytes),
    ...(s.gpu?.edits.deviceNodes ?? []).flatMap((n) => ['--device', n.path]),
    '--',
    ...s.command,
  ];
}
