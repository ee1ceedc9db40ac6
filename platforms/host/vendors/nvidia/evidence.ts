// Everything recorded about NVIDIA GPUs, each record parsed once: nvidia-smi's three forms, the
// kernel driver's /proc files, modinfo, /proc/modules and the device nodes.
import type { ParsedArtifacts } from '../../parsed.ts';
import type { Notes } from '../vendor.ts';
import {
  classifyNvidiaSmiFailure,
  failedBusIds,
  flavorFromLicense,
  isCutName,
  parseModinfo,
  parseNvidiaGpuInformation,
  parseNvidiaProcVersion,
  parseNvidiaSmiList,
  parseNvidiaSmiTable,
  parseNvidiaSmiXml,
  type NvidiaProcGpu,
  type NvidiaSmiFailure,
  type NvidiaSmiGpu,
} from './parse.ts';

export type Flavor = 'open' | 'proprietary';

export interface NvidiaEvidence {
  /** nvidia-smi's view, its forms merged per GPU; empty when it did not answer. */
  gpus: NvidiaSmiGpu[];
  driverVersion: string | null;
  cudaVersion: string | null;
  /** Set when nvidia-smi ran and failed or hung, and no form of it listed a GPU. */
  failure: NvidiaSmiFailure | 'timeout' | null;
  /** GPUs a failure message names by PCI address. */
  failedBusIds: string[];
  /** Whether any nvidia-smi output was recorded at all. */
  smiRecorded: boolean;
  /** The kernel driver: loaded (true), not loaded (false) or not recorded (null). */
  loaded: boolean | null;
  /** The running module's flavour (/proc), else the installed one's (modinfo's license). */
  flavor: Flavor | null;
  /** The running module's version (/proc), else the installed one's. */
  moduleVersion: string | null;
  /** The module installed on disk (modinfo), loaded or not. */
  installedVersion: string | null;
  /** GPUs the kernel driver lists under /proc/driver/nvidia/gpus/. */
  procGpus: NvidiaProcGpu[];
  /** /dev/nvidiaN: one per GPU the driver set up. */
  numberedNodes: string[];
}

const SMI_FORMS = ['nvidia-smi-q-x', 'nvidia-smi-L', 'nvidia-smi'] as const;

export function nvidiaEvidence(p: ParsedArtifacts, notes: Notes): NvidiaEvidence {
  // Whatever was printed is read, even with a non-zero exit: nvidia-smi still lists the GPUs when it
  // only warns (exit 14, "infoROM is corrupted").
  const answered = (name: string) => {
    const r = p.command(name);
    return r && !r.timedOut ? r.out : '';
  };
  const fromXml = parseNvidiaSmiXml(answered('nvidia-smi-q-x'));
  const fromList = parseNvidiaSmiList(answered('nvidia-smi-L'));
  const fromTable = parseNvidiaSmiTable(answered('nvidia-smi'));
  const base = fromXml.gpus.length ? fromXml.gpus : fromList.length ? fromList : fromTable.gpus;
  const gpus = base.map((g, i) => mergeSmi(g, [fromXml.gpus, fromList, fromTable.gpus], i));

  let failure: NvidiaEvidence['failure'] = null;
  const failed: string[] = [];
  for (const name of SMI_FORMS) {
    const r = p.command(name);
    if (!r) continue;
    if (r.timedOut) {
      failure ??= 'timeout';
      notes.push(`nvidia-smi (${name}) did not answer in time and was stopped`);
      continue;
    }
    if (gpus.length > 0) {
      if (!r.ok) notes.push(`nvidia-smi (${name}) listed the GPUs but exited with code ${r.exit}`);
      continue;
    }
    // A failure is read from its words as well as its exit code: a bundle may lack the .exit file.
    const why = classifyNvidiaSmiFailure(r.out, r.err, r.exit);
    if (why === null) continue;
    if (failure === null || failure === 'timeout' || failure === 'failed') failure = why;
    failed.push(...failedBusIds(`${r.out}\n${r.err}`));
  }
  if (gpus.length > 0) failure = null; // another form answered
  const module = kernelModule(p, notes);
  return {
    gpus,
    driverVersion: fromXml.driverVersion ?? fromTable.driverVersion,
    cudaVersion: fromXml.cudaVersion ?? fromTable.cudaVersion,
    failure,
    failedBusIds: [...new Set(failed)],
    smiRecorded: SMI_FORMS.some((n) => p.command(n) !== null),
    ...module,
    procGpus: p.filesMatching(/^\/proc\/driver\/nvidia\/gpus\/[^/]+\/information$/).map((f) => parseNvidiaGpuInformation(p.file(f) ?? '')),
    numberedNodes: (p.devices ?? []).filter((d) => /^\/dev\/nvidia\d+$/.test(d)),
  };
}

// The same GPU across nvidia-smi's forms: by UUID, then bus id, then index. A name the table cut
// gives way to a whole one.
function mergeSmi(g: NvidiaSmiGpu, sources: NvidiaSmiGpu[][], i: number): NvidiaSmiGpu {
  const merged = { ...g };
  for (const source of sources) {
    const other = source.find((o) => (g.uuid && o.uuid === g.uuid) || (g.pciBusId && o.pciBusId === g.pciBusId)) ?? source[i];
    if (!other) continue;
    for (const key of Object.keys(merged) as (keyof NvidiaSmiGpu)[]) {
      if (merged[key] === null && other[key] !== null) (merged as Record<string, unknown>)[key] = other[key];
    }
    if (isCutName(merged.model) && other.model !== null && !isCutName(other.model)) merged.model = other.model;
  }
  return merged;
}

function kernelModule(p: ParsedArtifacts, notes: Notes): Pick<NvidiaEvidence, 'loaded' | 'flavor' | 'moduleVersion' | 'installedVersion'> {
  const procText = p.file('/proc/driver/nvidia/version');
  const proc = procText === null ? null : parseNvidiaProcVersion(procText);
  const modinfoRun = p.command('modinfo-nvidia');
  const modinfo = modinfoRun && !modinfoRun.timedOut ? parseModinfo(modinfoRun.out) : null;
  const byLicense = flavorFromLicense(modinfo?.license ?? null);
  // The module only loads where it finds an NVIDIA GPU; /proc/driver/nvidia exists only while it is loaded.
  const loaded = procText !== null ? true : p.modules !== null ? p.modules.has('nvidia') : null;
  // /proc names the module that is running; modinfo the one installed on disk (it may be newer).
  if (proc?.flavor && byLicense && proc.flavor !== byLicense) {
    notes.push(`the running NVIDIA module is ${proc.flavor} but the installed one is ${byLicense}: a reboot is probably pending`);
  }
  const installedVersion = modinfo?.version ?? null;
  return { loaded, flavor: proc?.flavor ?? byLicense, moduleVersion: proc?.version ?? installedVersion, installedVersion };
}
