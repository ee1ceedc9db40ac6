// AMD: how its GPUs are probed, found, passed into the appliance and fixed. ROCm computes on the
// amdgpu driver through /dev/kfd.
import type { PciDevice } from '../../parse/pci.ts';
import { marketingName } from '../../parse/pci.ts';
import type { DriverName, GpuReport } from '../../report.ts';
import { toInt } from '../../text.ts';
import { gpuReport, verdict, type HostVendor, type VendorInput } from '../vendor.ts';
import { parseRocminfo, parseRocmVersion, type RocmAgent } from './parse.ts';

const DRIVERS = ['amdgpu', 'radeon'] as const;

export const amd: HostVendor<typeof DRIVERS> = {
  id: 'amd',
  pciVendorIds: ['1002', '1022'],
  names: /\bAMD\b|Radeon|\bATI\b|0x1002/i,
  driverNames: DRIVERS,
  probe: {
    commands: { linux: [{ name: 'rocminfo', argv: ['rocminfo'], timeoutMs: 5_000 }] },
    files: ['/opt/rocm/.info/version'],
    pciFiles: ['mem_info_vram_total'],
    devices: ['/dev/kfd'],
  },
  analyze(input) {
    const rocm = rocmFacts(input);
    switch (input.platform) {
      case 'linux':
        return {
          gpus: linuxGpus(input, rocm),
          access: (gpus, drm) => {
            for (const g of gpus) g.deviceNodes = g.pciBusId ? (drm.get(g.pciBusId) ?? []) : [];
            return gpus.some((g) => g.usable)
              ? {
                  vendor: 'amd',
                  wsl: false,
                  nodes: input.p.mayHave('/dev/kfd') ? ['/dev/kfd'] : [],
                  withheld: [],
                  libraries: [],
                  files: [],
                  folders: [],
                  version: null,
                }
              : null;
          },
        };
      case 'wsl2':
        return { gpus: wslGpus(input, rocm) };
      default:
        return null;
    }
  },
  fix(_g, platform) {
    if (platform === 'wsl2') {
      return { fix: 'Install AMD\'s Windows driver and ROCm for WSL (see rocm.docs.amd.com, "ROCm on WSL"), then restart.' };
    }
    if (platform === 'linux') {
      return { fix: 'Install AMD\'s ROCm driver for your Linux (see rocm.docs.amd.com, "Quick start installation"), then restart.' };
    }
    return null;
  },
};

interface RocmFacts {
  agents: RocmAgent[];
  version: string | null;
}

/** rocminfo's GPU agents (it answers only where amdgpu offers compute) and ROCm's version. */
function rocmFacts({ p }: VendorInput): RocmFacts {
  const info = p.command('rocminfo');
  const versionFile = p.file('/opt/rocm/.info/version');
  const agents = info && !info.timedOut ? parseRocminfo(info.out).filter((ag) => ag.deviceType === 'GPU') : [];
  return { agents, version: versionFile === null ? null : parseRocmVersion(versionFile) };
}

const driverOf = (dev: PciDevice): DriverName =>
  dev.kernelDriver === 'amdgpu' ? 'amdgpu' : dev.kernelDriver === 'radeon' ? 'radeon' : dev.kernelDriver ? 'unknown' : 'none';

function linuxGpus({ p, pci, notes }: VendorInput, rocm: RocmFacts): GpuReport[] {
  // rocminfo names no PCI address: its agents pair with the amdgpu GPUs in PCI order, only when the counts agree.
  const computing = pci.filter((d) => !d.bindingKnown || d.kernelDriver === 'amdgpu');
  const agentOf = (d: PciDevice) => (rocm.agents.length === computing.length ? (rocm.agents[computing.indexOf(d)] ?? null) : null);
  const kfd = p.mayHave('/dev/kfd')
    ? verdict('ready', 'the amdgpu driver is loaded with compute (/dev/kfd)')
    : verdict('missing-node', '/dev/kfd is missing: the amdgpu driver offers no compute here');
  const gpus = pci.map((dev) => {
    const agent = agentOf(dev);
    const driver: DriverName = dev.bindingKnown ? driverOf(dev) : agent ? 'amdgpu' : 'unknown';
    const vram = toInt(p.file(`/sys/bus/pci/devices/${dev.pciBusId}/mem_info_vram_total`)) ?? agent?.vramBytes ?? null;
    if (vram === null && driver === 'amdgpu') notes.push(`VRAM of ${dev.pciBusId} unknown: neither sysfs nor rocminfo reported it`);
    return gpuReport({
      vendor: 'amd',
      model: agent?.marketingName ?? marketingName(dev.description),
      pciBusId: dev.pciBusId,
      uuid: agent?.uuid ?? null,
      vramBytes: vram,
      driver: { name: driver, version: null },
      rocmVersion: rocm.version,
      ...(driver === 'amdgpu'
        ? kfd
        : driver === 'radeon'
          ? verdict('wrong-driver', 'the old radeon driver cannot run ROCm')
          : driver === 'none'
            ? verdict('no-driver', 'no amdgpu driver is loaded for it')
            : dev.bindingKnown
              ? verdict('wrong-driver', `it is bound to the ${dev.kernelDriver} driver, not amdgpu`)
              : verdict('unchecked', 'whether a driver is loaded for it was not recorded')),
    });
  });
  // GPUs only rocminfo lists (no PCI record): ROCm answering means amdgpu computes on them.
  if (pci.length === 0) {
    gpus.push(
      ...rocm.agents.map((agent) =>
        gpuReport({
          vendor: 'amd',
          model: agent.marketingName,
          vramBytes: agent.vramBytes,
          uuid: agent.uuid,
          driver: { name: 'amdgpu', version: null },
          rocmVersion: rocm.version,
          ...kfd,
        }),
      ),
    );
  }
  return gpus;
}

function wslGpus({ p }: VendorInput, rocm: RocmFacts): GpuReport[] {
  const dxg = p.mayHave('/dev/dxg');
  return rocm.agents.map((agent) =>
    gpuReport({
      vendor: 'amd',
      model: agent.marketingName,
      vramBytes: agent.vramBytes,
      uuid: agent.uuid,
      driver: { name: 'unknown', version: null },
      rocmVersion: rocm.version,
      ...(dxg ? verdict('ready', 'ROCm sees it through WSL2 (/dev/dxg)') : verdict('missing-node', 'WSL2 offers no /dev/dxg')),
    }),
  );
}
