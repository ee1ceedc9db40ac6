// What to record on each kind of host. Pure data: the probe runs it, the README documents it.
import type { HostInfo } from './artifacts.ts';

export interface CommandSpec {
  /** Bundle name: commands/<name>.out */
  name: string;
  argv: readonly string[];
  timeoutMs: number;
  /** Only in full probes (support bundles): too slow for a quick doctor. */
  fullOnly?: true;
}

const QUICK = 2_000;
const SLOW = 5_000; // GPU tools and podman can take seconds on a cold start

const nvidiaSmi = (os: HostInfo['os']): CommandSpec[] => [
  { name: 'nvidia-smi', argv: ['nvidia-smi'], timeoutMs: SLOW },
  { name: 'nvidia-smi-L', argv: ['nvidia-smi', '-L'], timeoutMs: SLOW },
  { name: 'nvidia-smi-q-x', argv: ['nvidia-smi', '-q', '-x'], timeoutMs: SLOW },
].map((c) => (os === 'win32' ? { ...c, argv: ['nvidia-smi.exe', ...c.argv.slice(1)] } : c));

const podman: CommandSpec[] = [
  { name: 'podman-version', argv: ['podman', '--version'], timeoutMs: QUICK },
  // `podman info` alone takes 0.35 s here (it opens the storage): bundles only.
  { name: 'podman-info-json', argv: ['podman', 'info', '--format', 'json'], timeoutMs: SLOW, fullOnly: true },
];

const bolt: CommandSpec = { name: 'bolt-version', argv: ['bolt', '--version'], timeoutMs: QUICK };

const qemu = (arch: string): CommandSpec => ({
  name: 'qemu-version', argv: [arch === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64', '--version'], timeoutMs: QUICK,
});

const powershell = (name: string, query: string): CommandSpec => ({
  name, argv: ['powershell.exe', '-NoProfile', '-NonInteractive', '-Command', query], timeoutMs: SLOW,
});

export function commandsFor(host: Pick<HostInfo, 'os' | 'arch'>): CommandSpec[] {
  switch (host.os) {
    case 'linux':
      return [
        ...nvidiaSmi('linux'),
        { name: 'modinfo-nvidia', argv: ['modinfo', 'nvidia'], timeoutMs: QUICK },
        { name: 'lspci-nnk', argv: ['lspci', '-nnk'], timeoutMs: QUICK },
        { name: 'rocminfo', argv: ['rocminfo'], timeoutMs: SLOW },
        { name: 'ldconfig-p', argv: ['ldconfig', '-p'], timeoutMs: QUICK },
        ...podman, qemu(host.arch), bolt,
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
        ...podman, qemu(host.arch), bolt,
      ];
    case 'win32':
      return [
        ...nvidiaSmi('win32'),
        // wsl.exe writes UTF-16LE; WSL_UTF8 is left unset so the bytes are wsl.exe's own.
        { name: 'wsl-status', argv: ['wsl.exe', '--status'], timeoutMs: SLOW },
        { name: 'wsl-version', argv: ['wsl.exe', '--version'], timeoutMs: SLOW },
        { name: 'wsl-list-verbose', argv: ['wsl.exe', '--list', '--verbose'], timeoutMs: SLOW },
        { name: 'systeminfo', argv: ['systeminfo.exe'], timeoutMs: 15_000, fullOnly: true },
        powershell('win32-videocontroller', 'Get-CimInstance Win32_VideoController | Format-List Name,AdapterRAM,DriverVersion,PNPDeviceID,VideoProcessor,Status'),
        powershell('win32-processor', 'Get-CimInstance Win32_Processor | Format-List Name,VirtualizationFirmwareEnabled,VMMonitorModeExtensions,SecondLevelAddressTranslationExtensions'),
        powershell('win32-computersystem', 'Get-CimInstance Win32_ComputerSystem | Format-List HypervisorPresent,TotalPhysicalMemory'),
        { name: 'podman-version', argv: ['podman.exe', '--version'], timeoutMs: QUICK },
      ];
  }
}

/** Files read on Linux hosts (WSL2 included); globs expand one '*' per path segment. */
export const LINUX_FILES: readonly string[] = [
  '/proc/version', '/proc/cpuinfo', '/proc/meminfo', '/proc/modules', '/etc/os-release',
  '/proc/driver/nvidia/version', '/proc/driver/nvidia/gpus/*/information',
  '/sys/bus/pci/devices/*/uevent', '/sys/fs/cgroup/cgroup.controllers', '/opt/rocm/.info/version',
];

/** PCI files kept only for GPUs (display or accelerator class), to keep bundles small. */
export const PCI_GPU_FILES: readonly string[] = ['mem_info_vram_total'];

/** Device nodes looked for (globs allowed). */
export const DEVICE_PATTERNS: readonly string[] = [
  '/dev/nvidia*', '/dev/nvidia-caps/*', '/dev/dri/*', '/dev/kfd', '/dev/dxg', '/dev/kvm', '/dev/vhost-vsock', '/dev/net/tun', '/dev/fuse',
];

/** Names of the NVIDIA driver's user-space libraries (the exact version is checked on analysis). */
const NVIDIA_LIBRARY_GLOBS: readonly string[] = [
  'libcuda.so*', 'libcudadebugger.so*', 'libnvidia-*.so*', 'libnvcuvid.so*', 'libnvoptix.so*',
  'libEGL_nvidia.so*', 'libGLX_nvidia.so*', 'libGLESv2_nvidia.so*', 'libGLESv1_CM_nvidia.so*',
];

/** Patterns for NVIDIA libraries in one folder. */
export const nvidiaLibraryPatterns = (dir: string): string[] => NVIDIA_LIBRARY_GLOBS.map((g) => `${dir}/${g}`);

/**
 * Driver files listed (names and link targets, never contents) so a GPU's user space can be passed
 * into the appliance: NVIDIA's libraries in the usual folders and under /usr/local/nvidia, its tools,
 * GSP firmware, Vulkan/EGL/OpenCL vendor files, WSL2's shared libraries and driver store, and the
 * DRM nodes by PCI address (udev's /dev/dri/by-path, and the kernel's own /sys/class/drm). Folders the linker cache names for NVIDIA libraries are listed as well.
 */
export const LINUX_LISTED: readonly string[] = [
  ...['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/nvidia/lib64', '/usr/local/nvidia/lib']
    .flatMap(nvidiaLibraryPatterns),
  '/usr/bin/nvidia-smi', '/usr/local/nvidia/bin/nvidia-smi',
  '/lib/firmware/nvidia/*/gsp*.bin',
  '/usr/share/vulkan/icd.d/nvidia*.json', '/etc/vulkan/icd.d/nvidia*.json', '/usr/share/vulkan/implicit_layer.d/nvidia*.json',
  '/usr/share/glvnd/egl_vendor.d/*nvidia*.json', '/usr/share/egl/egl_external_platform.d/*nvidia*.json', '/etc/OpenCL/vendors/nvidia*.icd',
  '/usr/lib/wsl/lib/*', '/usr/lib/wsl/drivers/*',
  '/dev/dri/by-path/*', '/sys/class/drm/card*', '/sys/class/drm/renderD*',
];

/** Where nvidia-smi lives when it is not on PATH (WSL2, containers with a mounted driver). */
export const EXTRA_PATH_LINUX: readonly string[] = ['/usr/lib/wsl/lib', '/usr/local/nvidia/bin', '/usr/sbin', '/sbin'];

/** Not a command: ai-way's own cache of what this user's Podman needs (learned by a canary container). */
export const PODMAN_PROFILE_RECORD = 'ai-way-podman-profile';

/** Every command name a bundle may hold (the README documents each). */
export const COMMAND_NAMES: readonly string[] = [...new Set((['linux', 'darwin', 'win32'] as const)
  .flatMap((os) => commandsFor({ os, arch: 'x64' }).map((c) => c.name)).concat(PODMAN_PROFILE_RECORD))].sort();
