// The GPUs of a host, each with its driver and whether the appliance can use it.
import type { Artifacts } from '../artifacts.ts';
import type { DriverName, GpuDriverFiles, GpuReport, Platform } from '../report.ts';
import { commandText, fileText, toInt } from '../text.ts';
import { isGpuClass, marketingName, parseLspci, parsePciUevent, vendorFromName, vendorFromPciId, type PciDevice } from '../parse/pci.ts';
import { parseRocminfo, parseRocmVersion, type RocmAgent } from '../parse/rocm.ts';
import { parseSystemProfilerJson, parseSystemProfilerText } from '../parse/macos.ts';
import { ADAPTER_RAM_CAP, nvidiaVersionFromWindows, parseVideoControllers } from '../parse/windows.ts';
import { nvidiaFacts, nvidiaProcGpus, type NvidiaFacts } from './nvidia.ts';
import type { Notes } from './host.ts';
import { gpuAccess } from './gpu-access.ts';

// Display adapters that are not GPUs to compute on: server management chips and virtual adapters.
const NOT_A_GPU_VENDORS: Record<string, string> = {
  '1a03': 'ASPEED', '102b': 'Matrox', '1b36': 'QEMU/QXL', '1af4': 'virtio', '1234': 'QEMU (bochs)',
  '15ad': 'VMware', '1414': 'Microsoft (Hyper-V/WSL)', '1013': 'Cirrus Logic', '80ee': 'VirtualBox', '19e5': 'Huawei iBMC',
};

export function analyzeGpus(a: Artifacts, platform: Platform, notes: Notes): { gpus: GpuReport[]; drivers: GpuDriverFiles[] } {
  const nv = nvidiaFacts(a, notes);
  const gpus =
    platform === 'macos' ? macGpus(a, notes)
    : platform === 'windows' ? windowsGpus(a, nv, notes)
    : platform === 'wsl2' ? wslGpus(a, nv, notes)
    : linuxGpus(a, nv, notes);
  gpus.sort(byUsefulness);
  return { gpus, drivers: gpuAccess(a, platform, gpus, nv, notes) };
}

const VENDOR_ORDER = ['nvidia', 'amd', 'intel', 'apple', 'other'];
function byUsefulness(x: GpuReport, y: GpuReport): number {
  return Number(y.usable) - Number(x.usable)
    || VENDOR_ORDER.indexOf(x.vendor) - VENDOR_ORDER.indexOf(y.vendor)
    || (x.pciBusId ?? '').localeCompare(y.pciBusId ?? '');
}

function gpu(partial: Partial<GpuReport> & Pick<GpuReport, 'vendor' | 'usable' | 'reason'>): GpuReport {
  return { model: null, vramBytes: null, pciBusId: null, uuid: null, driver: { name: 'unknown', version: null },
    cudaVersion: null, rocmVersion: null, deviceNodes: [], ...partial };
}

/** PCI display devices from sysfs, described further by lspci where it was recorded. */
function pciGpus(a: Artifacts, notes: Notes): PciDevice[] {
  const byBus = new Map<string, PciDevice>();
  for (const path of [...a.files.keys()].sort()) {
    if (!/^\/sys\/bus\/pci\/devices\/[^/]+\/uevent$/.test(path)) continue;
    const dev = parsePciUevent(fileText(a, path) ?? '');
    if (dev && isGpuClass(dev.classCode)) byBus.set(dev.pciBusId, dev);
  }
  const lspci = commandText(a, 'lspci-nnk');
  if (lspci?.ok) {
    for (const dev of parseLspci(lspci.out)) {
      if (!isGpuClass(dev.classCode)) continue;
      const known = byBus.get(dev.pciBusId);
      byBus.set(dev.pciBusId, known ? { ...dev, ...known, description: dev.description, kernelDriver: known.kernelDriver ?? dev.kernelDriver } : dev);
    }
  } else if (lspci?.timedOut) notes.push('lspci did not answer in time and was stopped');
  return [...byBus.values()].filter((dev) => {
    const other = dev.vendorId ? NOT_A_GPU_VENDORS[dev.vendorId] : undefined;
    if (other) notes.push(`display adapter ${dev.pciBusId} (${other}) is not a GPU the appliance can use; ignored`);
    return !other;
  });
}

function linuxGpus(a: Artifacts, nv: NvidiaFacts, notes: Notes): GpuReport[] {
  const pci = pciGpus(a, notes);
  const procGpus = nvidiaProcGpus(a);
  const procFor = (busId: string | null) => procGpus.find((p) => p.pciBusId === busId) ?? null;
  const rocm = rocmFacts(a);
  const amdAgent = rocmAgents(rocm.agents, pci);
  const out: GpuReport[] = [];
  const claimed = new Set<number>();
  for (const dev of pci) {
    const vendor = vendorFromPciId(dev.vendorId);
    if (vendor === 'nvidia') {
      const idx = nv.gpus.findIndex((g) => g.pciBusId === dev.pciBusId);
      if (idx >= 0) claimed.add(idx);
      out.push(nvidiaGpu(a, nv, dev, idx >= 0 ? idx : null, procFor(dev.pciBusId)));
    } else if (vendor === 'amd') out.push(amdGpu(a, dev, amdAgent(dev), rocm.version, notes));
    else if (vendor === 'intel') out.push(intelGpu(a, dev));
    else out.push(gpu({ vendor, model: marketingName(dev.description), pciBusId: dev.pciBusId,
      driver: { name: dev.kernelDriver ? 'unknown' : 'none', version: null }, usable: false, reason: 'ai-way has no way to pass this kind of GPU to the appliance' }));
  }
  // NVIDIA GPUs no PCI listing named (none was recorded): as nvidia-smi, or else the driver's /proc, lists them.
  nv.gpus.forEach((g, i) => {
    if (!claimed.has(i)) out.push(nvidiaGpu(a, nv, null, i, procFor(g.pciBusId)));
  });
  for (const p of procGpus) {
    if (!out.some((g) => g.pciBusId !== null && g.pciBusId === p.pciBusId)) out.push(nvidiaGpu(a, nv, null, null, p));
  }
  // nvidia-smi failing where nothing else lists the GPU: NVIDIA's driver is installed for one.
  if (!out.some((g) => g.vendor === 'nvidia') && nv.failure && nv.failure !== 'no-devices') {
    const name: DriverName = nv.kernelModule.loaded ? flavorName(nv) : nv.failure === 'no-driver' ? 'none' : 'unknown';
    out.push(gpu({ vendor: 'nvidia', driver: { name, version: nv.kernelModule.version },
      usable: false, reason: smiFailureReason(nv.failure) }));
  }
  if (out.length === 0 && nv.kernelModule.loaded) {
    notes.push('the NVIDIA driver is loaded but no NVIDIA GPU was listed');
  }
  return out;
}

const flavorName = (nv: NvidiaFacts): DriverName =>
  nv.kernelModule.flavor === 'open' ? 'nvidia-open' : nv.kernelModule.flavor === 'proprietary' ? 'nvidia-proprietary' : 'unknown';

function nvidiaGpu(a: Artifacts, nv: NvidiaFacts, dev: PciDevice | null, smiIndex: number | null,
  proc: ReturnType<typeof nvidiaProcGpus>[number] | null): GpuReport {
  const smi = smiIndex === null ? null : nv.gpus[smiIndex] ?? null;
  // lspci -k and sysfs name the bound driver; a GPU only nvidia-smi or /proc lists is bound to nvidia.
  const bound = dev?.kernelDriver ?? (smi || proc ? 'nvidia' : null);
  const driverName: DriverName = bound === 'nouveau' ? 'nouveau' : bound === 'nvidia' ? flavorName(nv) : bound === null ? 'none' : 'unknown';
  const base = {
    vendor: 'nvidia' as const,
    model: smi?.model ?? proc?.model ?? marketingName(dev?.description ?? null),
    vramBytes: smi?.vramBytes ?? null,
    pciBusId: dev?.pciBusId ?? smi?.pciBusId ?? proc?.pciBusId ?? null,
    uuid: smi?.uuid ?? proc?.uuid ?? null,
    driver: { name: driverName, version: bound === 'nvidia' ? nv.driverVersion ?? nv.kernelModule.version : null },
    cudaVersion: smi ? nv.cudaVersion : null,
  };
  const verdict = nvidiaUsable(a, nv, driverName, smi !== null, proc !== null || bound === 'nvidia');
  return gpu({ ...base, ...verdict });
}

/** driverBound: the kernel driver lists the GPU (/proc/driver/nvidia) or binds it (lspci, sysfs). */
function nvidiaUsable(a: Artifacts, nv: NvidiaFacts, driver: DriverName, smiSeesIt: boolean, driverBound: boolean): { usable: boolean; reason: string } {
  if (driver === 'nouveau') return { usable: false, reason: 'it runs the open-source Nouveau driver, which cannot run CUDA' };
  if (nv.failure) return { usable: false, reason: smiFailureReason(nv.failure) };
  if (driver === 'none') return { usable: false, reason: 'no NVIDIA driver is loaded for it' };
  if (a.devices !== null && !a.devices.includes('/dev/nvidiactl')) return { usable: false, reason: 'the driver is loaded but /dev/nvidiactl is missing' };
  if (smiSeesIt) return { usable: true, reason: 'the NVIDIA driver is loaded and nvidia-smi answers' };
  if (!nv.smiRecorded && (driverBound || nv.kernelModule.loaded)) return { usable: true, reason: 'the NVIDIA driver is loaded for it (nvidia-smi was not found to ask it more)' };
  if (!nv.smiRecorded) return { usable: false, reason: 'nvidia-smi was not found, so the driver could not be asked' };
  return { usable: false, reason: 'the NVIDIA driver does not list this GPU' };
}

export function smiFailureReason(f: NonNullable<NvidiaFacts['failure']>): string {
  switch (f) {
    case 'no-driver': return 'nvidia-smi cannot talk to the NVIDIA driver (it is not loaded)';
    case 'version-mismatch': return 'the NVIDIA driver and its libraries are different versions (a restart is usually pending)';
    case 'no-devices': return 'the NVIDIA driver found no usable GPU';
    case 'blocked': return 'the operating system blocks GPU access';
    case 'timeout': return 'nvidia-smi did not answer in time';
    case 'failed': return 'nvidia-smi failed';
  }
}

/**
 * rocminfo names no PCI address: its GPU agents are matched to the amdgpu GPUs in PCI order, and
 * only when the counts agree.
 */
function rocmAgents(agents: RocmAgent[], pci: PciDevice[]): (dev: PciDevice) => RocmAgent | null {
  const gpuAgents = agents.filter((ag) => ag.deviceType === 'GPU');
  const amd = pci.filter((d) => vendorFromPciId(d.vendorId) === 'amd' && d.kernelDriver === 'amdgpu');
  return (dev) => (gpuAgents.length === amd.length ? gpuAgents[amd.indexOf(dev)] ?? null : null);
}

function amdGpu(a: Artifacts, dev: PciDevice, agent: RocmAgent | null, rocmVersion: string | null, notes: Notes): GpuReport {
  const driver: DriverName = dev.kernelDriver === 'amdgpu' ? 'amdgpu' : dev.kernelDriver === 'radeon' ? 'radeon' : dev.kernelDriver ? 'unknown' : 'none';
  const vram = toInt(fileText(a, `/sys/bus/pci/devices/${dev.pciBusId}/mem_info_vram_total`)) ?? agent?.vramBytes ?? null;
  let verdict: { usable: boolean; reason: string };
  if (driver !== 'amdgpu') verdict = { usable: false, reason: driver === 'radeon' ? 'the old radeon driver cannot run ROCm' : 'no amdgpu driver is loaded for it' };
  else if (a.devices !== null && !a.devices.includes('/dev/kfd')) verdict = { usable: false, reason: '/dev/kfd is missing: the amdgpu driver offers no compute here' };
  else verdict = { usable: true, reason: 'the amdgpu driver is loaded with compute (/dev/kfd)' };
  if (vram === null && driver === 'amdgpu') notes.push(`VRAM of ${dev.pciBusId} unknown: neither sysfs nor rocminfo reported it`);
  return gpu({ vendor: 'amd', model: agent?.marketingName ?? marketingName(dev.description), pciBusId: dev.pciBusId, uuid: agent?.uuid ?? null,
    vramBytes: vram, driver: { name: driver, version: null }, rocmVersion, ...verdict });
}

function rocmFacts(a: Artifacts) {
  const info = commandText(a, 'rocminfo');
  const versionFile = fileText(a, '/opt/rocm/.info/version');
  return { agents: info?.ok ? parseRocminfo(info.out) : [], version: versionFile === null ? null : parseRocmVersion(versionFile) };
}

function intelGpu(a: Artifacts, dev: PciDevice): GpuReport {
  const driver: DriverName = dev.kernelDriver === 'i915' ? 'i915' : dev.kernelDriver === 'xe' ? 'xe' : dev.kernelDriver ? 'unknown' : 'none';
  const hasRender = a.devices === null || a.devices.some((d) => d.startsWith('/dev/dri/renderD'));
  const usable = (driver === 'i915' || driver === 'xe') && hasRender;
  return gpu({ vendor: 'intel', model: marketingName(dev.description), pciBusId: dev.pciBusId, driver: { name: driver, version: null },
    usable, reason: usable ? `the ${driver} driver offers a render node` : driver === 'none' || driver === 'unknown' ? 'no Intel graphics driver is loaded for it' : 'no /dev/dri render node' });
}

function wslGpus(a: Artifacts, nv: NvidiaFacts, notes: Notes): GpuReport[] {
  const dxg = a.devices === null ? null : a.devices.includes('/dev/dxg');
  const out: GpuReport[] = nv.gpus.map((smi) => {
    const usable = dxg !== false && nv.failure === null;
    return gpu({ vendor: 'nvidia', model: smi.model, vramBytes: smi.vramBytes, pciBusId: smi.pciBusId, uuid: smi.uuid,
      driver: { name: 'nvidia-wsl', version: nv.driverVersion }, cudaVersion: nv.cudaVersion, usable,
      reason: usable ? 'Windows shares it with WSL2 (/dev/dxg) and nvidia-smi answers' : 'WSL2 offers no /dev/dxg: Windows does not share the GPU' });
  });
  if (out.length === 0 && nv.failure) {
    out.push(gpu({ vendor: 'nvidia', driver: { name: 'nvidia-wsl', version: null }, usable: false, reason: smiFailureReason(nv.failure) }));
  }
  const rocm = rocmFacts(a);
  for (const agent of rocm.agents.filter((ag) => ag.deviceType === 'GPU')) {
    out.push(gpu({ vendor: 'amd', model: agent.marketingName, vramBytes: agent.vramBytes, uuid: agent.uuid, driver: { name: 'unknown', version: null }, rocmVersion: rocm.version,
      usable: dxg !== false, reason: dxg !== false ? 'ROCm sees it through WSL2 (/dev/dxg)' : 'WSL2 offers no /dev/dxg' }));
  }
  if (out.length === 0 && dxg) notes.push('Windows shares a GPU with WSL2 (/dev/dxg), but no vendor tool (nvidia-smi, rocminfo) answered');
  return out;
}

const controllerVendor = (c: { vendorId: string | null; name: string | null }) => (c.vendorId ? vendorFromPciId(c.vendorId) : vendorFromName(c.name));

function windowsGpus(a: Artifacts, nv: NvidiaFacts, notes: Notes): GpuReport[] {
  const vc = commandText(a, 'win32-videocontroller');
  const controllers = vc?.ok ? parseVideoControllers(vc.out) : [];
  if (!vc?.ok) notes.push('the list of graphics adapters (Win32_VideoController) was not recorded');
  // nvidia-smi's table cuts long names; Windows' own list has them whole, in the same order.
  const nvidiaNames = controllers.filter((c) => controllerVendor(c) === 'nvidia').map((c) => c.name);
  const out: GpuReport[] = nv.gpus.map((smi, i) => gpu({
    vendor: 'nvidia', model: smi.model ?? nvidiaNames[i] ?? null, vramBytes: smi.vramBytes, pciBusId: smi.pciBusId, uuid: smi.uuid,
    driver: { name: 'nvidia-proprietary', version: nv.driverVersion }, cudaVersion: nv.cudaVersion,
    usable: nv.failure === null, reason: 'the NVIDIA driver answers; Windows shares the GPU with WSL2',
  }));
  let nvidiaSeen = 0;
  for (const c of controllers) {
    const vendor = controllerVendor(c);
    if (c.virtual || (c.vendorId && NOT_A_GPU_VENDORS[c.vendorId])) continue;
    if (vendor === 'nvidia' && nvidiaSeen++ < nv.gpus.length) continue; // already described by nvidia-smi
    const capped = c.adapterRam !== null && c.adapterRam >= ADAPTER_RAM_CAP;
    if (capped) notes.push(`${c.name ?? 'a graphics adapter'} reports its memory as 4 GiB or more (Windows caps this number)`);
    const version = vendor === 'nvidia' ? nvidiaVersionFromWindows(c.driverVersion) : c.driverVersion;
    const reason = vendor !== 'nvidia' ? 'ai-way passes only NVIDIA GPUs from Windows into the appliance'
      : nv.failure ? smiFailureReason(nv.failure) : nv.smiRecorded ? 'nvidia-smi did not list it' : 'nvidia-smi was not found, so the driver could not be asked';
    out.push(gpu({ vendor, model: c.name, vramBytes: capped ? null : c.adapterRam,
      driver: { name: vendor === 'nvidia' ? 'nvidia-proprietary' : 'unknown', version }, usable: false, reason }));
  }
  return out;
}

function macGpus(a: Artifacts, notes: Notes): GpuReport[] {
  const json = commandText(a, 'system_profiler-SPDisplaysDataType-json');
  const text = commandText(a, 'system_profiler-SPDisplaysDataType');
  const found = json?.ok ? parseSystemProfilerJson(json.out) : [];
  const gpus = found.length ? found : text?.ok ? parseSystemProfilerText(text.out) : [];
  if (!json && !text) notes.push('system_profiler SPDisplaysDataType was not recorded');
  return gpus.map((g) => {
    if (g.vendor === 'apple' && g.vramBytes === null) notes.push(`${g.model ?? 'the Apple GPU'} shares the system memory (no separate VRAM)`);
    return gpu({ vendor: g.vendor, model: g.model, vramBytes: g.vramBytes, driver: { name: g.vendor === 'apple' ? 'apple' : 'unknown', version: null },
      usable: false, reason: 'macOS has no way to pass a GPU into a Linux appliance yet' });
  });
}
