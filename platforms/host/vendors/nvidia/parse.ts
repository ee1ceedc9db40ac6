// NVIDIA's own reports: nvidia-smi (table, -L, -q -x), /proc/driver/nvidia, modinfo.
// Each parser is total: any input gives a (possibly empty) answer, never an exception.
import { lines, normalizePciBusId, parseSize, toInt } from '../../text.ts';

export interface NvidiaSmiGpu {
  index: number | null;
  model: string | null;
  uuid: string | null;
  pciBusId: string | null;
  vramBytes: number | null;
  minor: number | null;
}

export interface NvidiaSmiReport {
  driverVersion: string | null;
  cudaVersion: string | null;
  gpus: NvidiaSmiGpu[];
}

const emptyGpu = (): NvidiaSmiGpu => ({ index: null, model: null, uuid: null, pciBusId: null, vramBytes: null, minor: null });

// Newer drivers say "KMD Version" / "CUDA UMD Version" where older ones said "Driver Version" / "CUDA Version".
const DRIVER_RE = /(?:Driver|KMD) Version:\s*([0-9][0-9.]*)/;
const CUDA_RE = /CUDA(?: UMD)? Version:\s*([0-9][0-9.]*)/;

/**
 * The default `nvidia-smi` table. Names there may be cut short ("Tesla P100-PCIE..."): such a name
 * is kept as shown, and a whole one from -L, -q -x or another source wins over it (isCutName).
 */
export function parseNvidiaSmiTable(text: string): NvidiaSmiReport {
  const report: NvidiaSmiReport = {
    driverVersion: DRIVER_RE.exec(text)?.[1] ?? null,
    cudaVersion: CUDA_RE.exec(text)?.[1] ?? null,
    gpus: [],
  };
  const rows = lines(text);
  let inGpuTable = false;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (/^\|=+\+=+\+=+\|$/.test(row.trim())) {
      inGpuTable = true;
      continue;
    }
    if (inGpuTable && /^\s*$/.test(row)) break; // the GPU table ends at the first blank line
    if (!inGpuTable) continue;
    // "|   0  NVIDIA H100 80GB HBM3          On  |   00000000:00:09.0 Off |                   On |"
    const cells = row.split('|');
    if (cells.length < 4) continue;
    const first = /^\s*(\d+)\s+(.+?)\s+(?:On|Off|WDDM|TCC|MCDM|N\/A)\s*$/.exec(cells[1] ?? '');
    const bus = /^\s*([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7])\s/.exec(cells[2] ?? '');
    if (!first || !bus) continue;
    const gpu = emptyGpu();
    gpu.index = Number(first[1]);
    gpu.model = first[2]!;
    gpu.pciBusId = normalizePciBusId(bus[1]);
    const mem = /(\d+)MiB\s*\/\s*(\d+)MiB/.exec(rows[i + 1] ?? '');
    if (mem) gpu.vramBytes = Number(mem[2]) * 1024 ** 2;
    report.gpus.push(gpu);
  }
  return report;
}

/** `nvidia-smi -L`: "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-...)"; MIG lines are indented and skipped. */
export function parseNvidiaSmiList(text: string): NvidiaSmiGpu[] {
  const gpus: NvidiaSmiGpu[] = [];
  for (const row of lines(text)) {
    const m = /^GPU (\d+): (.+?)(?: \(UUID: (GPU-[^)]+)\))?\s*$/.exec(row);
    if (!m) continue;
    gpus.push({ ...emptyGpu(), index: Number(m[1]), model: m[2]!.trim(), uuid: m[3] ?? null });
  }
  return gpus;
}

/** Inner text of the first <tag>...</tag> in an XML fragment (no attributes, no nesting of the same tag). */
function xmlText(xml: string, tag: string): string | null {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m ? decodeXmlEntities(m[1]!.trim()) : null;
}

function xmlBlock(xml: string, tag: string): string | null {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? m[1]! : null;
}

function decodeXmlEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!);
}

const notApplicable = (s: string | null): string | null => (s === null || s === 'N/A' || s === '' ? null : s);

/** `nvidia-smi -q -x`: the fullest answer (full names, UUIDs, minors, exact memory). */
export function parseNvidiaSmiXml(text: string): NvidiaSmiReport {
  const report: NvidiaSmiReport = {
    driverVersion: notApplicable(xmlText(text, 'driver_version')),
    cudaVersion: notApplicable(xmlText(text, 'cuda_version')),
    gpus: [],
  };
  const gpuRe = /<gpu id="([^"]*)">([\s\S]*?)<\/gpu>/g;
  let index = 0;
  for (let m = gpuRe.exec(text); m; m = gpuRe.exec(text)) {
    // MIG instances repeat fb_memory_usage and friends: read the physical GPU's own fields only.
    const body = m[2]!.replace(/<mig_devices>[\s\S]*?<\/mig_devices>/g, '').replace(/<processes>[\s\S]*?<\/processes>/g, '');
    const fb = xmlBlock(body, 'fb_memory_usage');
    const pci = xmlBlock(body, 'pci');
    const minor = toInt(xmlText(body, 'minor_number'));
    report.gpus.push({
      index: index++,
      model: notApplicable(xmlText(body, 'product_name')),
      uuid: notApplicable(xmlText(body, 'uuid')),
      pciBusId: normalizePciBusId((pci && xmlText(pci, 'pci_bus_id')) ?? m[1]),
      vramBytes: fb ? parseSize(xmlText(fb, 'total')) : null,
      minor,
    });
  }
  return report;
}

/** A name nvidia-smi's table cut to fit its column. */
export const isCutName = (name: string | null): boolean => name?.endsWith('...') === true;

export type NvidiaSmiFailure = 'no-driver' | 'no-devices' | 'version-mismatch' | 'blocked' | 'failed';

/**
 * Why nvidia-smi failed. Exit codes first, as its manual documents them (6: a query found nothing,
 * 9: driver not loaded, 12: NVML library not found); NVIDIA's English text only as a fallback.
 */
export function classifyNvidiaSmiFailure(out: string, err: string, exit: number | null): NvidiaSmiFailure | null {
  if (exit === 9 || exit === 12) return 'no-driver';
  if (exit === 6) return 'no-devices';
  const text = `${out}\n${err}`;
  if (/couldn't communicate with the NVIDIA driver|Driver Not Loaded/i.test(text)) return 'no-driver';
  if (/Driver\/library version mismatch/i.test(text)) return 'version-mismatch';
  if (/No devices were found/i.test(text)) return 'no-devices';
  if (/GPU access blocked by the operating system/i.test(text)) return 'blocked';
  if (/Failed to initialize NVML|NVIDIA-SMI has failed|Unable to determine the device handle/i.test(text)) return 'failed';
  if (exit !== null && exit !== 0) return 'failed';
  return null;
}

/** The GPUs a failure names by PCI address ("Unable to determine the device handle for GPU 0000:00:08.0"). */
export function failedBusIds(text: string): string[] {
  const ids = [...text.matchAll(/\b([0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\b/g)].map((m) => normalizePciBusId(m[1]));
  return [...new Set(ids.filter((id): id is string => id !== null))];
}

export interface NvidiaKernelModule {
  flavor: 'open' | 'proprietary' | null;
  version: string | null;
}

/** /proc/driver/nvidia/version: "NVRM version: NVIDIA UNIX [Open Kernel Module for ]x86_64 ... 535.104.05 ..." */
export function parseNvidiaProcVersion(text: string): NvidiaKernelModule {
  const nvrm = lines(text).find((l) => l.startsWith('NVRM version:'));
  if (!nvrm) return { flavor: null, version: null };
  const flavor = /Open Kernel Module/i.test(nvrm) ? 'open' : /Kernel Module/i.test(nvrm) ? 'proprietary' : null;
  const version = /\s(\d{2,4}\.\d{1,3}(?:\.\d{1,3})?)\s/.exec(`${nvrm} `)?.[1] ?? null;
  return { flavor, version };
}

export interface NvidiaProcGpu {
  model: string | null;
  uuid: string | null;
  pciBusId: string | null;
  minor: number | null;
}

/** /proc/driver/nvidia/gpus/<bus id>/information: "Model:", "GPU UUID:", "Bus Location:", "Device Minor:". */
export function parseNvidiaGpuInformation(text: string): NvidiaProcGpu {
  const field = (name: string): string | null => {
    const row = lines(text).find((l) => l.startsWith(`${name}:`));
    return row ? row.slice(name.length + 1).trim() || null : null;
  };
  const uuid = field('GPU UUID');
  return {
    model: field('Model'),
    uuid: uuid && /^GPU-/.test(uuid) ? uuid : null,
    pciBusId: normalizePciBusId(field('Bus Location')),
    minor: toInt(field('Device Minor')),
  };
}

export interface ModinfoReport {
  license: string | null;
  version: string | null;
  filename: string | null;
}

/** `modinfo nvidia` ("license:        Dual MIT/GPL") or `modinfo -F license nvidia` (one bare line). */
export function parseModinfo(text: string): ModinfoReport {
  const get = (key: string) => {
    const m = new RegExp(`^${key}:\\s*(.+?)\\s*$`, 'm').exec(text);
    return m ? m[1]! : null;
  };
  const bare = text.trim();
  const license = get('license') ?? (bare && !bare.includes('\n') && !bare.includes(':') ? bare : null);
  return { license, version: get('version'), filename: get('filename') };
}

/** License -> flavour: NVIDIA's open modules are "Dual MIT/GPL", the proprietary ones "NVIDIA". */
export function flavorFromLicense(license: string | null): 'open' | 'proprietary' | null {
  if (!license) return null;
  if (/MIT|GPL/i.test(license)) return 'open';
  if (/^NVIDIA$/i.test(license.trim())) return 'proprietary';
  return null;
}

/** Windows driver version "31.0.15.3623" -> NVIDIA's "536.23" (the last five digits). */
export function nvidiaVersionFromWindows(driverVersion: string | null): string | null {
  const m = /^\d+\.\d+\.(\d+)\.(\d+)$/.exec(driverVersion ?? '');
  if (!m) return null;
  const digits = (m[1]! + m[2]!.padStart(4, '0')).slice(-5);
  return `${Number(digits.slice(0, 3))}.${digits.slice(3)}`;
}
