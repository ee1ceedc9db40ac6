// NVIDIA GPUs from whatever was recorded: PCI (sysfs, lspci), nvidia-smi, the driver's /proc files,
// its device nodes, Windows' adapter list. Each source alone names GPUs; together they are merged
// per GPU, and the more reliable one wins a field: NVIDIA's own tools, then the kernel, then PCI.
import { marketingName, type PciDevice } from '../../parse/pci.ts';
import { adapterVram, type WindowsVideoController } from '../../parse/windows.ts';
import type { DriverName, GpuReport, GpuVerdict } from '../../report.ts';
import { gpuReport, verdict, type VendorInput } from '../vendor.ts';
import type { NvidiaEvidence } from './evidence.ts';
import { isCutName, nvidiaVersionFromWindows, type NvidiaProcGpu, type NvidiaSmiGpu } from './parse.ts';

/** One GPU as the sources name it: any of them may be missing. */
interface Sighting {
  pci: PciDevice | null;
  smi: NvidiaSmiGpu | null;
  proc: NvidiaProcGpu | null;
  /** Named by a failing nvidia-smi, or only known to exist (driver loaded, a numbered node). */
  busId: string | null;
}

const sameGpu = (x: { pciBusId: string | null; uuid?: string | null }, y: { pciBusId: string | null; uuid?: string | null }) =>
  (x.pciBusId !== null && x.pciBusId === y.pciBusId) || (Boolean(x.uuid) && x.uuid === y.uuid);

const sighting = (s: Partial<Sighting>): Sighting => ({ pci: null, smi: null, proc: null, busId: null, ...s });

/** Every NVIDIA GPU some source names, each once. */
function sightings(pci: PciDevice[], nv: NvidiaEvidence): Sighting[] {
  const all = pci.map((d) => sighting({ pci: d, busId: d.pciBusId }));
  const find = (key: { pciBusId: string | null; uuid?: string | null }) =>
    all.find((s) => sameGpu({ pciBusId: s.busId, uuid: s.smi?.uuid ?? s.proc?.uuid ?? null }, key));
  // nvidia-smi lists GPUs in PCI order: those it names by no address pair with the PCI devices it does not name.
  const unnamed: NvidiaSmiGpu[] = [];
  for (const smi of nv.gpus) {
    const same = find(smi);
    if (same) same.smi = smi;
    else if (smi.pciBusId === null) unnamed.push(smi);
    else all.push(sighting({ smi, busId: smi.pciBusId }));
  }
  const free = all.filter((s) => s.smi === null && s.pci !== null);
  unnamed.forEach((smi, i) => {
    if (unnamed.length === free.length) free[i]!.smi = smi;
    else all.push(sighting({ smi }));
  });
  for (const proc of nv.procGpus) {
    const same = find(proc);
    if (same) same.proc = proc;
    else all.push(sighting({ proc, busId: proc.pciBusId }));
  }
  for (const busId of nv.failedBusIds) if (!find({ pciBusId: busId })) all.push(sighting({ busId }));
  if (all.length === 0) {
    // Nothing lists a GPU, but something shows one is there: a failing nvidia-smi (its driver is
    // installed for one), the loaded module (it loads only with a GPU), its numbered device nodes.
    const count = Math.max(nv.failure && nv.failure !== 'no-devices' ? 1 : 0, nv.loaded ? 1 : 0, nv.numberedNodes.length);
    for (let i = 0; i < count; i++) all.push(sighting({}));
  }
  return all;
}

const flavorName = (nv: NvidiaEvidence): DriverName =>
  nv.flavor === 'open' ? 'nvidia-open' : nv.flavor === 'proprietary' ? 'nvidia-proprietary' : 'unknown';

/** The driver bound to it: what PCI says, else NVIDIA's if its driver lists it, is loaded or made its nodes. */
function boundDriver(s: Sighting, nv: NvidiaEvidence): string | null | undefined {
  if (s.pci?.bindingKnown) return s.pci.kernelDriver;
  if (s.smi || s.proc || nv.loaded || nv.numberedNodes.length > 0) return 'nvidia';
  if (nv.failure === 'no-driver' || nv.loaded === false) return null;
  return undefined; // not recorded
}

export function linuxGpus({ p, pci }: VendorInput, nv: NvidiaEvidence): GpuReport[] {
  return sightings(pci, nv).map((s) => {
    const bound = boundDriver(s, nv);
    const driver: DriverName = bound === 'nouveau' ? 'nouveau' : bound === 'nvidia' ? flavorName(nv) : bound === null ? 'none' : 'unknown';
    const model = [s.smi?.model, s.proc?.model, marketingName(s.pci?.description ?? null)].filter((m): m is string => Boolean(m));
    return gpuReport({
      vendor: 'nvidia',
      model: model.find((m) => !isCutName(m)) ?? model[0] ?? null,
      vramBytes: s.smi?.vramBytes ?? null,
      pciBusId: s.busId ?? s.smi?.pciBusId ?? s.proc?.pciBusId ?? null,
      uuid: s.smi?.uuid ?? s.proc?.uuid ?? null,
      driver: { name: driver, version: bound === 'nvidia' ? (nv.driverVersion ?? nv.moduleVersion) : null },
      cudaVersion: s.smi ? nv.cudaVersion : null,
      ...linuxVerdict(s, nv, driver, bound, (node) => p.mayHave(node)),
    });
  });
}

function linuxVerdict(
  s: Sighting,
  nv: NvidiaEvidence,
  driver: DriverName,
  bound: string | null | undefined,
  mayHave: (node: string) => boolean,
): Pick<GpuReport, 'usable' | 'verdict' | 'reason'> {
  if (driver === 'nouveau') return verdict('wrong-driver', 'it runs the open-source Nouveau driver, which cannot run CUDA');
  const notLoaded = nv.failure === 'no-driver' || (!nv.failure && bound === null);
  if (notLoaded && nv.installedVersion) return verdict('not-loaded', `NVIDIA's driver ${nv.installedVersion} is installed but not loaded`);
  if (nv.failure) return failureVerdict(nv.failure);
  if (bound === null) return verdict('no-driver', 'no NVIDIA driver is loaded for it');
  if (bound === undefined) return verdict('unchecked', 'whether a driver is loaded for it was not recorded');
  if (bound !== 'nvidia') return verdict('wrong-driver', `it is bound to the ${bound} driver, not NVIDIA's`);
  if (!mayHave('/dev/nvidiactl')) return verdict('missing-node', 'the driver is loaded but /dev/nvidiactl is missing');
  if (s.smi) return verdict('ready', 'the NVIDIA driver is loaded and nvidia-smi answers');
  if (!nv.smiRecorded) return verdict('ready', 'the NVIDIA driver is loaded for it (nvidia-smi was not found to ask it more)');
  return verdict('not-listed', 'the NVIDIA driver does not list this GPU');
}

const FAILURE: Record<NonNullable<NvidiaEvidence['failure']>, [GpuVerdict, string]> = {
  'no-driver': ['no-driver', 'nvidia-smi cannot talk to the NVIDIA driver (it is not loaded)'],
  'version-mismatch': ['driver-mismatch', 'the NVIDIA driver and its libraries are different versions (a restart is usually pending)'],
  'no-devices': ['not-listed', 'the NVIDIA driver found no usable GPU'],
  blocked: ['blocked', 'the operating system blocks GPU access'],
  timeout: ['driver-failed', 'nvidia-smi did not answer in time'],
  failed: ['driver-failed', 'nvidia-smi failed'],
};

const failureVerdict = (f: NonNullable<NvidiaEvidence['failure']>) => verdict(...FAILURE[f]);

/** WSL2: Windows' driver answers through /dev/dxg; there is no PCI device to go by. */
export function wslGpus({ p }: VendorInput, nv: NvidiaEvidence): GpuReport[] {
  const dxg = p.devices === null ? null : p.devices.includes('/dev/dxg');
  const shared =
    dxg === false
      ? verdict('missing-node', 'WSL2 offers no /dev/dxg: Windows does not share the GPU')
      : verdict('ready', 'Windows shares it with WSL2 (/dev/dxg) and nvidia-smi answers');
  const gpus = nv.gpus.map((smi) =>
    gpuReport({
      vendor: 'nvidia',
      model: smi.model,
      vramBytes: smi.vramBytes,
      pciBusId: smi.pciBusId,
      uuid: smi.uuid,
      driver: { name: 'nvidia-wsl', version: nv.driverVersion },
      cudaVersion: nv.cudaVersion,
      ...shared,
    }),
  );
  if (gpus.length === 0 && nv.failure && nv.failure !== 'no-devices') {
    gpus.push(gpuReport({ vendor: 'nvidia', driver: { name: 'nvidia-wsl', version: null }, ...failureVerdict(nv.failure) }));
  }
  return gpus;
}

/** Windows: nvidia-smi, and Windows' own adapter list (whole names where the table cut them). */
export function windowsGpus({ controllers }: VendorInput, nv: NvidiaEvidence): GpuReport[] {
  const named = nv.gpus.map((smi, i) => {
    const listed = controllers[i]?.name ?? null;
    return gpuReport({
      vendor: 'nvidia',
      model: isCutName(smi.model) && listed ? listed : (smi.model ?? listed),
      vramBytes: smi.vramBytes,
      pciBusId: smi.pciBusId,
      uuid: smi.uuid,
      driver: { name: 'nvidia-proprietary', version: nv.driverVersion },
      cudaVersion: nv.cudaVersion,
      ...(nv.failure ? failureVerdict(nv.failure) : verdict('ready', 'the NVIDIA driver answers; Windows shares the GPU with WSL2')),
    });
  });
  // Adapters nvidia-smi did not describe.
  const rest = controllers.slice(nv.gpus.length).map((c: WindowsVideoController) =>
    gpuReport({
      vendor: 'nvidia',
      model: c.name,
      vramBytes: adapterVram(c),
      driver: { name: 'nvidia-proprietary', version: nvidiaVersionFromWindows(c.driverVersion) },
      ...(nv.failure
        ? failureVerdict(nv.failure)
        : nv.smiRecorded
          ? verdict('not-listed', 'nvidia-smi did not list it')
          : verdict('no-tool', 'nvidia-smi was not found, so the driver could not be asked')),
    }),
  );
  if (named.length + rest.length === 0 && nv.failure && nv.failure !== 'no-devices') {
    rest.push(gpuReport({ vendor: 'nvidia', driver: { name: 'nvidia-proprietary', version: null }, ...failureVerdict(nv.failure) }));
  }
  return [...named, ...rest];
}
