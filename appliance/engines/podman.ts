// Turns a Plan into the one `podman run` that starts the appliance. Pure: the flags are the
// isolation promise, and the agent's report from inside is what proves them.
import type { CdiContainerEdits } from '../cdi.ts';

/** What this host's Podman needs, learned once by a canary container (platforms/linux). */
export interface PodmanProfile {
  /** Global flags that make it work here, e.g. ["--runtime", "runc", "--cgroup-manager", "cgroupfs"]. */
  globalArgs: string[];
  /** Whether an explicit nofile ulimit is needed (the default one is refused on some hosts). */
  nofileUlimit: boolean;
  /** Mapping flags that keep the appliance's root from being the host's root (needed when rootful). */
  userns: string[];
}

/** Rootful Podman maps the appliance's users onto an unused, unprivileged range of host ids. */
export const ROOTFUL_USERNS = ['--uidmap', '0:1000000000:65536', '--gidmap', '0:1000000000:65536'];

export interface PodmanRunSpec {
  sessionId: string;
  launcherPid: number;
  /** The launcher's start time (pids are reused), where the host can tell. */
  launcherStart?: string | null;
  image: string;
  command: readonly string[];
  workspaceBytes: number;
  workspaceExec: boolean;
  memBytes: number;
  cpus: number;
  pids: number;
  gpu: PodmanGpu | null;
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
    ...e.mounts.flatMap((m) => ['--volume', `${m.hostPath}:${m.containerPath}:${m.options.filter((o) => o !== 'bind' && o !== 'rbind').join(',')}`]),
    ...e.env.flatMap((v) => ['--env', v]),
  ];
}

/** Where the agent lives in every ai-way image. */
export const AGENT_PATH = '/sbin/ai-way-agent';
export const WORKSPACE = '/workspace';
export const SESSION_LABEL = 'ai-way.session';
export const LAUNCHER_PID_LABEL = 'ai-way.launcher-pid';
export const LAUNCHER_START_LABEL = 'ai-way.launcher-start';

export const containerName = (sessionId: string) => `ai-way-${sessionId}`;

/** The workspace: memory only, private, no device files or set-uid programs, no programs unless asked. */
export const workspaceTmpfs = (bytes: number, exec: boolean) => `${WORKSPACE}:rw,size=${bytes},mode=0700,nodev,nosuid${exec ? '' : ',noexec'}`;

export function podmanRunArgs(p: PodmanProfile, s: PodmanRunSpec): string[] {
  const tmpfs = workspaceTmpfs(s.workspaceBytes, s.workspaceExec);
  return [
    ...p.globalArgs,
    'run', '-i', '--rm', '--pull=never',
    '--name', containerName(s.sessionId),
    '--label', `${SESSION_LABEL}=${s.sessionId}`,
    '--label', `${LAUNCHER_PID_LABEL}=${s.launcherPid}`,
    ...(s.launcherStart ? ['--label', `${LAUNCHER_START_LABEL}=${s.launcherStart}`] : []),
    '--network=none', '--hostname', 'ai-way',
    '--read-only', '--read-only-tmpfs=false',
    '--cap-drop=all', '--security-opt', 'no-new-privileges', ...p.userns,
    '--tmpfs', tmpfs,
    ...gpuArgs(s.gpu),
    '--memory', String(s.memBytes), '--cpus', String(s.cpus), '--pids-limit', String(s.pids),
    // Per-process rlimits back the cgroup limits where a host cannot give cgroups (rootless, cgroup v1).
    '--ulimit', `nproc=${s.pids}:${s.pids}`, '--ulimit', `data=${s.memBytes}:${s.memBytes}`,
    ...(p.nofileUlimit ? ['--ulimit', 'nofile=1024:1024'] : []),
    // The agent's stdout is the channel: no log driver may keep a copy of it on disk.
    '--log-driver=none',
    '--stop-timeout', '2',
    '--entrypoint', AGENT_PATH,
    s.image,
    '--workspace', WORKSPACE, '--', ...s.command,
  ];
}
