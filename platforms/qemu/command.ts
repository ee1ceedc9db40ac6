// The QEMU command line of a session's virtual machine, from small pure functions: the machine, the
// processor, the accelerator, the memory, what the guest is sealed from (no network card, no
// display, no default devices, no host folder), the kernel and what its command line tells the
// guest's init, the agent's channel on a virtio-serial port, and the label reaping knows it by.
import type { HostFacts } from '../../appliance/host-facts.ts';
import type { ImageArch } from '../../appliance/image-policy.ts';
import { vmName } from '../process-identity.ts';

export { ownerOf, type VmOwner, vmName } from '../process-identity.ts';

export type Accelerator = 'kvm' | 'hvf' | 'whpx' | 'tcg';
type HostPlatform = HostFacts['host']['platform'];

const MiB = 1024 ** 2;

export const qemuProgram = (arch: ImageArch): string => (arch === 'x86_64' ? 'qemu-system-x86_64' : 'qemu-system-aarch64');

/** pc, not microvm: Debian's kernel has virtio-mmio as a module and hangs there; pc has PCI built in. */
export const machineArgs = (arch: ImageArch): string[] => ['-M', arch === 'x86_64' ? 'pc' : 'virt'];

/** Software emulation runs each virtual processor on a host thread of its own (multi-threaded TCG). */
export const acceleratorArgs = (accelerator: Accelerator): string[] => ['-accel', accelerator === 'tcg' ? 'tcg,thread=multi' : accelerator];

/**
 * The host's own processor where hardware runs the guest. Emulated, the most capable model; on
 * aarch64 its pointer authentication uses QEMU's cheap algorithm (QARMA triples the boot's time).
 * WHPX takes no "host" model.
 */
export function cpuArgs(arch: ImageArch, accelerator: Accelerator): string[] {
  if (accelerator === 'kvm' || accelerator === 'hvf') return ['-cpu', 'host'];
  return ['-cpu', arch === 'aarch64' ? 'max,pauth-impdef=on' : 'max'];
}

/** What the guest's kernel and agent need beside the app: the initramfs is unpacked into this memory too. */
export const GUEST_OVERHEAD_BYTES = 64 * MiB;

/** The guest's memory: the app's, the overhead, the initramfs and the model's copy (the guest's init holds it in memory), in MiB. */
export const memoryArgs = (appBytes: number, initramfsBytes: number, modelBytes = 0): string[] => [
  '-m',
  `${Math.ceil((appBytes + GUEST_OVERHEAD_BYTES + initramfsBytes + modelBytes) / MiB)}M`,
];

/** As many virtual processors as the app may use, whole, and no more than the host has. */
export function processorArgs(cpus: number, hostCpus: number | null): string[] {
  const whole = Math.max(1, Math.ceil(cpus));
  return ['-smp', String(hostCpus ? Math.min(whole, hostCpus) : whole)];
}

/**
 * Only what the command line names: no default devices, no user config, no network card, no
 * display; a reboot ends QEMU. No -virtfs or -fsdev is ever added: no host folder is shared; the
 * one -drive is the model's, read-only (modelArgs).
 */
export const SEALED: readonly string[] = ['-nodefaults', '-no-user-config', '-nic', 'none', '-display', 'none', '-no-reboot'];

/** QEMU's own seccomp filter (Linux builds): it may not run programs, gain privileges or change its resource limits. */
export const sandboxArgs = (host: HostPlatform): string[] =>
  host === 'linux' || host === 'wsl2' ? ['-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny'] : [];

/** The guest's console on QEMU's standard output: the log tail's source. */
export const CONSOLE_ARGS: readonly string[] = ['-serial', 'stdio'];
const CONSOLES: Record<ImageArch, string> = { x86_64: 'ttyS0', aarch64: 'ttyAMA0' };

/** The descriptor the channel's socket has in QEMU: the fourth of its stdio. */
export const CHANNEL_FD = 3;

/** The agent's channel: a virtio-serial port named `port`, on a socket QEMU inherits as descriptor `fd` (no file, no listener). */
export const channelArgs = (fd: number, port: string): string[] => [
  '-chardev',
  `socket,id=channel,fd=${fd}`,
  '-device',
  'virtio-serial-pci',
  '-device',
  `virtserialport,chardev=channel,name=${port}`,
];

/** The serial the guest's init finds the model's drive by (packaging/guest/init.sh). */
export const MODEL_SERIAL = 'ai-way-model';

/**
 * The model as a read-only raw drive: one file, no host folder. The guest sees it rounded up to whole
 * 512-byte sectors (zeros past the end); its init copies exactly the model's bytes (aiway_model).
 * A comma in a QEMU option value is written twice.
 */
export const modelArgs = (file: string): string[] => [
  '-drive',
  `file=${file.replaceAll(',', ',,')},format=raw,readonly=on,if=none,id=model`,
  '-device',
  `virtio-blk-pci,drive=model,serial=${MODEL_SERIAL}`,
];

/** What the guest's init applies and passes to the agent (packaging/guest/init.sh). */
export interface GuestSettings {
  workspaceBytes: number;
  shmBytes: number;
  memBytes: number;
  pids: number;
  cpus: number;
  accelerator: Accelerator;
  /** The model's size, when one comes as the read-only drive. */
  modelBytes?: number | null;
}

/** The kernel's command line: the console, no reboot on panic, and the init's settings (names without a dot reach init). */
export function kernelCommandLine(arch: ImageArch, s: GuestSettings): string {
  return [
    `console=${CONSOLES[arch]}`,
    'quiet',
    'panic=-1',
    `aiway_workspace=${s.workspaceBytes}`,
    `aiway_shm=${s.shmBytes}`,
    `aiway_memory=${s.memBytes}`,
    `aiway_pids=${s.pids}`,
    `aiway_cpus=${Number(s.cpus.toFixed(3))}`,
    `aiway_accel=${s.accelerator}`,
    ...(s.modelBytes ? [`aiway_model=${s.modelBytes}`] : []),
  ].join(' ');
}

/**
 * What QEMU runs under so that it dies with the launcher, however the launcher ends: on Linux,
 * setpriv sets the parent-death signal (PR_SET_PDEATHSIG), which survives exec. Elsewhere nothing:
 * the agent powers off at the channel's end, and reaping takes what a hung guest leaves.
 */
export const dieWithLauncher = (host: HostPlatform, setprivFound: boolean): string[] =>
  (host === 'linux' || host === 'wsl2') && setprivFound ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];

export interface VmSpec {
  host: HostPlatform;
  hostCpus: number | null;
  arch: ImageArch;
  owner: Parameters<typeof vmName>[0];
  kernel: string;
  initramfs: string;
  initramfsBytes: number;
  channelPort: string;
  channelFd: number;
  settings: GuestSettings;
  /** The model file on the host and its size, passed as a read-only drive. */
  model?: { file: string; bytes: number } | null;
}

/** The whole command line of a session's virtual machine (without what it runs under). */
export function vmCommand(v: VmSpec): string[] {
  const accelerator = v.settings.accelerator;
  return [
    qemuProgram(v.arch),
    '-name',
    vmName(v.owner),
    ...machineArgs(v.arch),
    ...acceleratorArgs(accelerator),
    ...cpuArgs(v.arch, accelerator),
    ...memoryArgs(v.settings.memBytes, v.initramfsBytes, v.model?.bytes),
    ...processorArgs(v.settings.cpus, v.hostCpus),
    ...SEALED,
    ...sandboxArgs(v.host),
    ...CONSOLE_ARGS,
    '-kernel',
    v.kernel,
    '-initrd',
    v.initramfs,
    '-append',
    kernelCommandLine(v.arch, { ...v.settings, modelBytes: v.model?.bytes ?? null }),
    ...channelArgs(v.channelFd, v.channelPort),
    ...(v.model ? modelArgs(v.model.file) : []),
  ];
}

/**
 * A test boot of `kernel` under an accelerator: no initramfs, so a kernel that runs through its
 * whole start panics at the missing root (PANIC_LINE on the console) and QEMU exits at once.
 */
export function probeCommand(arch: ImageArch, accelerator: Accelerator, kernel: string): string[] {
  return [
    qemuProgram(arch),
    ...machineArgs(arch),
    ...acceleratorArgs(accelerator),
    ...cpuArgs(arch, accelerator),
    '-m',
    '128M',
    ...SEALED,
    ...CONSOLE_ARGS,
    '-kernel',
    kernel,
    '-append',
    `console=${CONSOLES[arch]} panic=-1 loglevel=1`,
  ];
}

/** What a kernel prints when it has started and found no root: the probe's proof that it boots. */
export const PANIC_LINE = /Kernel panic - not syncing/;
