// NVIDIA: how its GPUs are probed, found, passed into the appliance and fixed.
import path from 'node:path';
import type { HostInfo } from '../../artifacts.ts';
import type { CommandSpec } from '../../probe-spec.ts';
import type { HostVendor } from '../vendor.ts';
import { nvidiaEvidence } from './evidence.ts';
import { linuxGpus, windowsGpus, wslGpus } from './gpus.ts';
import { isNvidiaDriverLibrary, nvidiaAccess } from './files.ts';

const SLOW = 5_000; // nvidia-smi can take seconds on a cold start

const smi = (os: HostInfo['os']): CommandSpec[] =>
  [
    { name: 'nvidia-smi', argv: ['nvidia-smi'], timeoutMs: SLOW },
    { name: 'nvidia-smi-L', argv: ['nvidia-smi', '-L'], timeoutMs: SLOW },
    { name: 'nvidia-smi-q-x', argv: ['nvidia-smi', '-q', '-x'], timeoutMs: SLOW },
  ].map((c) => (os === 'win32' ? { ...c, argv: ['nvidia-smi.exe', ...c.argv.slice(1)] } : c));

/** Names of the driver's user-space libraries (the exact version is checked on analysis). */
const LIBRARY_GLOBS = [
  'libcuda.so*',
  'libcudadebugger.so*',
  'libnvidia-*.so*',
  'libnvcuvid.so*',
  'libnvoptix.so*',
  'libEGL_nvidia.so*',
  'libGLX_nvidia.so*',
  'libGLESv2_nvidia.so*',
  'libGLESv1_CM_nvidia.so*',
];
const librariesIn = (dir: string): string[] => LIBRARY_GLOBS.map((g) => `${dir}/${g}`);

const DRIVERS = ['nvidia-proprietary', 'nvidia-open', 'nouveau', 'nvidia-wsl'] as const;

export const nvidia: HostVendor<typeof DRIVERS> = {
  id: 'nvidia',
  pciVendorIds: ['10de'],
  names: /NVIDIA|GeForce|Quadro|0x10de/i,
  driverNames: DRIVERS,
  probe: {
    commands: { linux: [...smi('linux'), { name: 'modinfo-nvidia', argv: ['modinfo', 'nvidia'], timeoutMs: 2_000 }], win32: smi('win32') },
    files: ['/proc/driver/nvidia/version', '/proc/driver/nvidia/gpus/*/information'],
    devices: ['/dev/nvidia*', '/dev/nvidia-caps/*'],
    // Its libraries in the usual folders and under /usr/local/nvidia, its tools, GSP firmware, and
    // the Vulkan/EGL/OpenCL vendor files.
    listed: [
      ...[
        '/usr/lib/x86_64-linux-gnu',
        '/usr/lib/aarch64-linux-gnu',
        '/usr/lib64',
        '/usr/lib',
        '/usr/local/nvidia/lib64',
        '/usr/local/nvidia/lib',
      ].flatMap(librariesIn),
      '/usr/bin/nvidia-smi',
      '/usr/local/nvidia/bin/nvidia-smi',
      '/lib/firmware/nvidia/*/gsp*.bin',
      '/usr/share/vulkan/icd.d/nvidia*.json',
      '/etc/vulkan/icd.d/nvidia*.json',
      '/usr/share/vulkan/implicit_layer.d/nvidia*.json',
      '/usr/share/glvnd/egl_vendor.d/*nvidia*.json',
      '/usr/share/egl/egl_external_platform.d/*nvidia*.json',
      '/etc/OpenCL/vendors/nvidia*.icd',
    ],
    // Folders the linker cache names for its libraries (Debian's nvidia/current, a vendor prefix).
    listedByLinker: (cache) =>
      [...new Set(cache.filter((e) => isNvidiaDriverLibrary(e.name)).map((e) => path.posix.dirname(e.path)))].sort().flatMap(librariesIn),
    // Where nvidia-smi is when it is not on PATH: WSL2's shared driver folder, containers with a mounted driver.
    extraPath: ['/usr/lib/wsl/lib', '/usr/local/nvidia/bin'],
  },
  analyze(input) {
    if (input.platform === 'macos') return null;
    const nv = nvidiaEvidence(input.p, input.notes);
    if (nv.gpus.length === 0 && nv.loaded === null && nv.flavor && nv.moduleVersion) {
      input.notes.push(
        `NVIDIA's ${nv.flavor} driver ${nv.moduleVersion} is installed (modinfo); nothing recorded says whether it is loaded`,
      );
    }
    switch (input.platform) {
      case 'linux':
        return { gpus: linuxGpus(input, nv), access: (gpus, drm) => nvidiaAccess(input.p, nv, gpus, drm, input.notes) };
      case 'wsl2':
        return { gpus: wslGpus(input, nv) };
      case 'windows':
        return { gpus: windowsGpus(input, nv) };
    }
  },
  fix(g, platform, p) {
    if (platform === 'windows' || platform === 'wsl2') {
      return {
        fix:
          'Install the latest NVIDIA driver for Windows from nvidia.com (Windows shares it with Linux automatically), restart, ' +
          'then update WSL.',
        fixCommand: 'wsl --update',
      };
    }
    if (g.verdict === 'driver-mismatch') return { fix: 'Restart the computer so the NVIDIA driver that was just updated is loaded.' };
    if (g.verdict === 'not-loaded') {
      return {
        fix:
          'Restart the computer so the NVIDIA driver is loaded. If it still is not, Secure Boot may be refusing it: ' +
          "enroll the driver's signing key (your distribution's NVIDIA guide says how) or turn Secure Boot off.",
      };
    }
    const family = [p.osRelease?.id, ...(p.osRelease?.idLike ?? [])];
    if (family.includes('ubuntu')) {
      return { fix: "Install NVIDIA's driver, then restart the computer.", fixCommand: 'sudo ubuntu-drivers install' };
    }
    if (family.includes('fedora')) {
      return {
        fix: "Enable RPM Fusion (rpmfusion.org), install NVIDIA's driver, wait five minutes for it to build, then restart.",
        fixCommand: 'sudo dnf install -y akmod-nvidia',
      };
    }
    if (family.includes('debian')) {
      return {
        fix: 'Enable the "non-free" software source, install NVIDIA\'s driver, then restart.',
        fixCommand: 'sudo apt-get install -y nvidia-driver',
      };
    }
    return { fix: "Install NVIDIA's driver for your Linux distribution (nvidia.com/drivers), then restart the computer." };
  },
};
