// What to record on each kind of host. Pure data: the probe runs it, the README documents it.
// Each GPU maker's own records come from its vendor module (vendors/<id>/).
import type { HostInfo } from './artifacts.ts';
import type { LdconfigEntry } from './parse/linux.ts';
import { VENDORS } from './vendors/index.ts';
import type { VendorProbe } from './vendors/vendor.ts';

export interface CommandSpec {
  /** Bundle name: commands/<name>.out */
  name: string;
  argv: readonly string[];
  timeoutMs: number;
  /** Only in full probes (support bundles): too slow for a quick doctor. */
  fullOnly?: true;
}

const QUICK = 2_000;
const SLOW = 5_000; // podman can take seconds on a cold start

/** What every vendor module records under one heading, in the vendor table's order. */
const fromVendors = <K extends Exclude<keyof VendorProbe, 'commands' | 'listedByLinker'>>(key: K): string[] =>
  VENDORS.flatMap((v) => v.probe?.[key] ?? []);
const vendorCommands = (os: HostInfo['os']): CommandSpec[] => VENDORS.flatMap((v) => v.probe?.commands?.[os] ?? []);

const podman: CommandSpec[] = [
  { name: 'podman-version', argv: ['podman', '--version'], timeoutMs: QUICK },
  // `podman info` alone takes 0.35 s here (it opens the storage): bundles only.
  { name: 'podman-info-json', argv: ['podman', 'info', '--format', 'json'], timeoutMs: SLOW, fullOnly: true },
];

const bolt: CommandSpec = { name: 'bolt-version', argv: ['bolt', '--version'], timeoutMs: QUICK };

const qemu = (arch: string): CommandSpec => ({
  name: 'qemu-version',
  argv: [arch === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64', '--version'],
  timeoutMs: QUICK,
});

const powershell = (name: string, query: string): CommandSpec => ({
  name,
  argv: ['powershell.exe', '-NoProfile', '-NonInteractive', '-Command', query],
  timeoutMs: SLOW,
});

// The processor's name and what Windows says of its virtualization: the extensions, turned on in the firmware, SLAT.
const VIRTUALIZATION_PROPERTIES = [
  'Name',
  'VirtualizationFirmwareEnabled',
  'VMMonitorModeExtensions',
  'SecondLevelAddressTranslationExtensions',
];

export function commandsFor(host: Pick<HostInfo, 'os' | 'arch'>): CommandSpec[] {
  switch (host.os) {
    case 'linux':
      return [
        ...vendorCommands('linux'),
        { name: 'lspci-nnk', argv: ['lspci', '-nnk'], timeoutMs: QUICK },
        { name: 'ldconfig-p', argv: ['ldconfig', '-p'], timeoutMs: QUICK },
        ...podman,
        qemu(host.arch),
        bolt,
      ];
    case 'darwin':
      return [
        { name: 'system_profiler-SPDisplaysDataType', argv: ['system_profiler', 'SPDisplaysDataType'], timeoutMs: SLOW },
        { name: 'system_profiler-SPDisplaysDataType-json', argv: ['system_profiler', 'SPDisplaysDataType', '-json'], timeoutMs: SLOW },
        { name: 'sysctl-machdep.cpu.brand_string', argv: ['sysctl', 'machdep.cpu.brand_string'], timeoutMs: QUICK },
        { name: 'sysctl-hw.memsize', argv: ['sysctl', 'hw.memsize'], timeoutMs: QUICK },
        { name: 'sysctl-kern.hv_support', argv: ['sysctl', 'kern.hv_support'], timeoutMs: QUICK },
        { name: 'limactl-version', argv: ['limactl', '--version'], timeoutMs: QUICK },
        { name: 'limactl-list-json', argv: ['limactl', 'list', '--json'], timeoutMs: SLOW },
        ...vendorCommands('darwin'),
        ...podman,
        qemu(host.arch),
        bolt,
      ];
    case 'win32':
      return [
        ...vendorCommands('win32'),
        // wsl.exe writes UTF-16LE; WSL_UTF8 is left unset so the bytes are wsl.exe's own.
        { name: 'wsl-status', argv: ['wsl.exe', '--status'], timeoutMs: SLOW },
        { name: 'wsl-version', argv: ['wsl.exe', '--version'], timeoutMs: SLOW },
        { name: 'wsl-list-verbose', argv: ['wsl.exe', '--list', '--verbose'], timeoutMs: SLOW },
        { name: 'systeminfo', argv: ['systeminfo.exe'], timeoutMs: 15_000, fullOnly: true },
        powershell(
          'win32-videocontroller',
          'Get-CimInstance Win32_VideoController | Format-List Name,AdapterRAM,DriverVersion,PNPDeviceID,VideoProcessor,Status',
        ),
        powershell('win32-processor', `Get-CimInstance Win32_Processor | Format-List ${VIRTUALIZATION_PROPERTIES.join(',')}`),
        powershell('win32-computersystem', 'Get-CimInstance Win32_ComputerSystem | Format-List HypervisorPresent,TotalPhysicalMemory'),
        { name: 'podman-version', argv: ['podman.exe', '--version'], timeoutMs: QUICK },
      ];
  }
}

/** Files read on Linux hosts (WSL2 included); globs expand one '*' per path segment. */
export const LINUX_FILES: readonly string[] = [
  '/proc/version',
  '/proc/cpuinfo',
  '/proc/meminfo',
  '/proc/modules',
  '/etc/os-release',
  '/sys/bus/pci/devices/*/uevent',
  '/sys/fs/cgroup/cgroup.controllers',
  ...fromVendors('files'),
];

/** PCI files kept only for GPUs (display or accelerator class), to keep bundles small. */
export const PCI_GPU_FILES: readonly string[] = fromVendors('pciFiles');

/** Device nodes looked for (globs allowed). */
export const DEVICE_PATTERNS: readonly string[] = [
  ...fromVendors('devices'),
  '/dev/dri/*',
  '/dev/dxg',
  '/dev/kvm',
  '/dev/vhost-vsock',
  '/dev/net/tun',
  '/dev/fuse',
];

/**
 * Driver files listed (names and link targets, never contents) so a GPU's user space can be passed
 * into the appliance: each maker's (see its vendor module), WSL2's shared libraries and driver
 * store, and the DRM nodes by PCI address (udev's /dev/dri/by-path, and the kernel's own /sys/class/drm).
 */
export const LINUX_LISTED: readonly string[] = [
  ...fromVendors('listed'),
  '/usr/lib/wsl/lib/*',
  '/usr/lib/wsl/drivers/*',
  '/dev/dri/by-path/*',
  '/sys/class/drm/card*',
  '/sys/class/drm/renderD*',
  // The kernel's KVM modules: a PVM one (kvm_pvm) boots only guests built for it.
  '/sys/module/kvm*',
];

/** More to list, in the folders the linker cache names for a maker's libraries. */
export const linkerListed = (cache: LdconfigEntry[]): string[] => VENDORS.flatMap((v) => v.probe?.listedByLinker?.(cache) ?? []);

/** Where tools live when they are not on PATH (vendor tools in their own folders; lspci and modinfo in sbin). */
export const EXTRA_PATH_LINUX: readonly string[] = [...fromVendors('extraPath'), '/usr/sbin', '/sbin'];

/** Not a command: ai-way's own cache of what this user's Podman needs (learned by a canary container). */
export const PODMAN_PROFILE_RECORD = 'ai-way-podman-profile';

/** Every command name a bundle may hold (the README documents each). */
export const COMMAND_NAMES: readonly string[] = [
  ...new Set(
    (['linux', 'darwin', 'win32'] as const)
      .flatMap((os) => commandsFor({ os, arch: 'x64' }).map((c) => c.name))
      .concat(PODMAN_PROFILE_RECORD),
  ),
].sort();
