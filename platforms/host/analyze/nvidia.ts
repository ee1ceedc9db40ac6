// Everything NVIDIA's tools and the kernel say about NVIDIA GPUs, merged per GPU.
import type { Artifacts } from '../artifacts.ts';
import { commandText, fileText } from '../text.ts';
import {
  classifyNvidiaSmiFailure, flavorFromLicense, parseModinfo, parseNvidiaGpuInformation, parseNvidiaProcVersion,
  parseNvidiaSmiList, parseNvidiaSmiTable, parseNvidiaSmiXml, type NvidiaSmiFailure, type NvidiaSmiGpu,
} from '../parse/nvidia.ts';
import type { Notes } from './host.ts';

export interface NvidiaFacts {
  /** nvidia-smi's view; empty when it did not answer. */
  gpus: NvidiaSmiGpu[];
  driverVersion: string | null;
  cudaVersion: string | null;
  /** Set when nvidia-smi ran and failed or hung. */
  failure: NvidiaSmiFailure | 'timeout' | null;
  /** Whether any nvidia-smi output was recorded at all. */
  smiRecorded: boolean;
  kernelModule: { loaded: boolean; flavor: 'open' | 'proprietary' | null; version: string | null };
}

const SMI_NAMES = ['nvidia-smi-q-x', 'nvidia-smi-L', 'nvidia-smi'] as const;

export function nvidiaFacts(a: Artifacts, notes: Notes): NvidiaFacts {
  // Parse whatever was printed, even with a non-zero exit: nvidia-smi still lists the GPUs when it
  // only warns (exit 14, "infoROM is corrupted").
  const answered = (name: string) => {
    const r = commandText(a, name);
    return r && !r.timedOut ? r.out : '';
  };
  const fromXml = parseNvidiaSmiXml(answered('nvidia-smi-q-x'));
  const fromTable = parseNvidiaSmiTable(answered('nvidia-smi'));
  const fromList = parseNvidiaSmiList(answered('nvidia-smi-L'));
  const base = fromXml.gpus.length ? fromXml.gpus : fromList.length ? fromList : fromTable.gpus;
  const gpus = base.map((g, i) => mergeSmi(g, [fromXml.gpus, fromList, fromTable.gpus], i));

  let failure: NvidiaFacts['failure'] = null;
  for (const name of SMI_NAMES) {
    const r = commandText(a, name);
    if (!r || r.ok) continue;
    if (r.timedOut) { failure = 'timeout'; notes.push(`nvidia-smi (${name}) did not answer in time and was stopped`); continue; }
    if (gpus.length > 0) { notes.push(`nvidia-smi (${name}) listed the GPUs but exited with code ${r.exit}`); continue; }
    failure = classifyNvidiaSmiFailure(r.out, r.err, r.exit) ?? 'failed';
  }
  if (gpus.length > 0 && failure === 'timeout') failure = null; // another form answered
  return {
    gpus,
    driverVersion: fromXml.driverVersion ?? fromTable.driverVersion,
    cudaVersion: fromXml.cudaVersion ?? fromTable.cudaVersion,
    failure,
    smiRecorded: SMI_NAMES.some((n) => a.commands.has(n)),
    kernelModule: kernelModule(a, notes),
  };
}

// The same GPU across nvidia-smi's forms: by UUID, then bus id, then index.
function mergeSmi(g: NvidiaSmiGpu, sources: (NvidiaSmiGpu[] | undefined)[], i: number): NvidiaSmiGpu {
  const merged = { ...g };
  for (const source of sources) {
    const other = source?.find((o) => (g.uuid && o.uuid === g.uuid) || (g.pciBusId && o.pciBusId === g.pciBusId)) ?? source?.[i];
    if (!other) continue;
    for (const key of Object.keys(merged) as (keyof NvidiaSmiGpu)[]) {
      if (merged[key] === null && other[key] !== null) (merged as Record<string, unknown>)[key] = other[key];
    }
  }
  return merged;
}

function kernelModule(a: Artifacts, notes: Notes): NvidiaFacts['kernelModule'] {
  const procText = fileText(a, '/proc/driver/nvidia/version');
  const proc = procText === null ? null : parseNvidiaProcVersion(procText);
  const modinfoRun = commandText(a, 'modinfo-nvidia');
  const modinfo = modinfoRun?.ok ? parseModinfo(modinfoRun.out) : null;
  const byLicense = flavorFromLicense(modinfo?.license ?? null);
  const modules = fileText(a, '/proc/modules');
  const loaded = proc?.version != null || (modules !== null && /^nvidia /m.test(modules));
  // /proc names the module that is running; modinfo the one installed on disk (it may be newer).
  if (proc?.flavor && byLicense && proc.flavor !== byLicense) {
    notes.push(`the running NVIDIA module is ${proc.flavor} but the installed one is ${byLicense}: a reboot is probably pending`);
  }
  return { loaded, flavor: proc?.flavor ?? byLicense, version: proc?.version ?? modinfo?.version ?? null };
}

/** GPUs the NVIDIA kernel driver lists itself under /proc/driver/nvidia/gpus/. */
export function nvidiaProcGpus(a: Artifacts) {
  return [...a.files.keys()]
    .filter((p) => /^\/proc\/driver\/nvidia\/gpus\/[^/]+\/information$/.test(p))
    .sort()
    .map((p) => parseNvidiaGpuInformation(fileText(a, p) ?? ''));
}
