// The GPUs of a host, each with its driver and whether the appliance can use it. The lists every
// maker shares (PCI, Windows' adapters, macOS' displays) are split by maker here; each vendor module
// finds its GPUs from them and from its own records.
import { vendorLabel, vendorRank, type GpuVendor } from '../../../appliance/gpu-vendors.ts';
import type { ParsedArtifacts } from '../parsed.ts';
import type { GpuDriverFiles, GpuReport, Platform } from '../report.ts';
import { marketingName, type PciDevice } from '../parse/pci.ts';
import { parseSystemProfilerJson, parseSystemProfilerText, type MacGpu } from '../parse/macos.ts';
import { adapterVram, ADAPTER_RAM_CAP, parseVideoControllers, type WindowsVideoController } from '../parse/windows.ts';
import { identifyVendor, vendorOfDevice, VENDORS } from '../vendors/index.ts';
import { gpuReport, ON_MACOS, verdict, type Notes, type VendorAnalysis } from '../vendors/vendor.ts';
import { gpuAccess } from './gpu-access.ts';

// Display adapters that are not GPUs to compute on: server management chips and virtual adapters.
const NOT_A_GPU_VENDORS: Record<string, string> = {
  '1a03': 'ASPEED',
  '102b': 'Matrox',
  '1b36': 'QEMU/QXL',
  '1af4': 'virtio',
  '1234': 'QEMU (bochs)',
  '15ad': 'VMware',
  '1414': 'Microsoft (Hyper-V/WSL)',
  '1013': 'Cirrus Logic',
  '80ee': 'VirtualBox',
  '19e5': 'Huawei iBMC',
};

export function analyzeGpus(p: ParsedArtifacts, platform: Platform, notes: Notes): { gpus: GpuReport[]; drivers: GpuDriverFiles[] } {
  const pci = platform === 'linux' ? computeDevices(p, notes) : [];
  const controllers = platform === 'windows' ? windowsControllers(p, notes) : [];
  const displays = platform === 'macos' ? macDisplays(p, notes) : [];
  const of =
    <T>(items: T[], vendor: (t: T) => GpuVendor) =>
    (v: GpuVendor) =>
      items.filter((t) => vendor(t) === v);
  const pciOf = of(pci, vendorOfDevice);
  const controllersOf = of(controllers, (c) => identifyVendor(c.vendorId, c.name));
  const displaysOf = of(displays, (g) => identifyVendor(g.vendorId, g.vendorName, g.model));
  const analyses = new Map<GpuVendor, VendorAnalysis>();
  for (const v of VENDORS) {
    const input = { p, platform, notes, pci: pciOf(v.id), controllers: controllersOf(v.id), displays: displaysOf(v.id) };
    // A maker without analysis here: its GPUs are listed as found, never usable.
    analyses.set(v.id, v.analyze?.(input) ?? { gpus: unanalyzed(v.id, input.pci, input.controllers, input.displays) });
  }
  const others = unanalyzed('other', pciOf('other'), controllersOf('other'), displaysOf('other'));
  const gpus = [...[...analyses.values()].flatMap((a) => a.gpus), ...others].sort(byUsefulness);
  if (gpus.length === 0 && p.devices?.includes('/dev/dxg') && platform === 'wsl2') {
    notes.push('Windows shares a GPU with WSL2 (/dev/dxg), but no vendor tool (nvidia-smi, rocminfo) answered');
  }
  return { gpus, drivers: gpuAccess(p, platform, gpus, analyses, notes) };
}

function byUsefulness(x: GpuReport, y: GpuReport): number {
  return (
    Number(y.usable) - Number(x.usable) || vendorRank(x.vendor) - vendorRank(y.vendor) || (x.pciBusId ?? '').localeCompare(y.pciBusId ?? '')
  );
}

/** Where no vendor module describes them: listed, with why ai-way cannot use them. */
function unanalyzed(vendor: GpuVendor, pci: PciDevice[], controllers: WindowsVideoController[], displays: MacGpu[]): GpuReport[] {
  return [
    ...pci.map((dev) =>
      gpuReport({
        vendor,
        model: marketingName(dev.description),
        pciBusId: dev.pciBusId,
        driver: { name: dev.bindingKnown && !dev.kernelDriver ? 'none' : 'unknown', version: null },
        ...verdict('not-passable', 'ai-way has no way to pass this kind of GPU to the appliance'),
      }),
    ),
    ...controllers.map((c) =>
      gpuReport({
        vendor,
        model: c.name,
        vramBytes: adapterVram(c),
        driver: { name: 'unknown', version: c.driverVersion },
        ...verdict(
          'not-passable',
          `ai-way cannot pass ${vendor === 'other' ? 'such' : vendorLabel(vendor)} GPUs from Windows into the appliance yet`,
        ),
      }),
    ),
    ...displays.map((g) => gpuReport({ vendor, model: g.model, vramBytes: g.vramBytes, ...ON_MACOS })),
  ];
}

/** PCI display and accelerator devices, less those that are no GPU to compute on. */
function computeDevices(p: ParsedArtifacts, notes: Notes): PciDevice[] {
  if (p.command('lspci-nnk')?.timedOut) notes.push('lspci did not answer in time and was stopped');
  return p.pciGpus.filter((dev) => {
    const other = dev.vendorId ? NOT_A_GPU_VENDORS[dev.vendorId] : undefined;
    if (other) notes.push(`display adapter ${dev.pciBusId} (${other}) is not a GPU the appliance can use; ignored`);
    return !other;
  });
}

function windowsControllers(p: ParsedArtifacts, notes: Notes): WindowsVideoController[] {
  const vc = p.command('win32-videocontroller');
  const all = vc && !vc.timedOut ? parseVideoControllers(vc.out) : [];
  if (!vc?.ok) notes.push('the list of graphics adapters (Win32_VideoController) was not recorded');
  return all.filter((c) => {
    if (c.virtual || (c.vendorId && NOT_A_GPU_VENDORS[c.vendorId])) return false;
    if (c.adapterRam !== null && c.adapterRam >= ADAPTER_RAM_CAP) {
      notes.push(`${c.name ?? 'a graphics adapter'} reports its memory as 4 GiB or more (Windows caps this number)`);
    }
    return true;
  });
}

function macDisplays(p: ParsedArtifacts, notes: Notes): MacGpu[] {
  const json = p.command('system_profiler-SPDisplaysDataType-json');
  const text = p.command('system_profiler-SPDisplaysDataType');
  if (!json && !text) notes.push('system_profiler SPDisplaysDataType was not recorded');
  const found = json && !json.timedOut ? parseSystemProfilerJson(json.out) : [];
  const all = found.length ? found : text && !text.timedOut ? parseSystemProfilerText(text.out) : [];
  return all.filter((g) => {
    const other = g.vendorId ? NOT_A_GPU_VENDORS[g.vendorId] : undefined;
    if (other) notes.push(`display adapter ${g.model ?? ''} (${other}) is not a GPU the appliance can use; ignored`.replace('  ', ' '));
    return !other;
  });
}
