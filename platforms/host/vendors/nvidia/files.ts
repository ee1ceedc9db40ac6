// What NVIDIA GPUs need in the appliance on Linux: each GPU's /dev/nvidiaN, the driver's shared
// nodes, and its user-space files of exactly the running version. Only what the host listed is named.
import path from 'node:path';
import type { ParsedArtifacts } from '../../parsed.ts';
import { resolveListed } from '../../parse/listing.ts';
import type { GpuDriverFiles, GpuReport } from '../../report.ts';
import type { Notes } from '../vendor.ts';
import type { NvidiaEvidence } from './evidence.ts';

const COMMON_NODES = ['/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidia-modeset'];
// The folder order decides between two copies of one library; the linker cache's own order comes first.
export const LIBRARY_FOLDERS = [
  '/usr/local/nvidia/lib64',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
];
const TOOLS = ['/usr/bin/nvidia-smi', '/usr/local/nvidia/bin/nvidia-smi'];
const VENDOR_FILES = /^\/(usr\/share|etc)\/(vulkan|glvnd|egl|OpenCL)\/.*nvidia[^/]*\.(json|icd)$/;

/** The NVIDIA driver's own user-space libraries (not the container toolkit's libnvidia-container). */
export const isNvidiaDriverLibrary = (name: string): boolean =>
  /^lib(cuda|cudadebugger|nvcuvid|nvoptix|nvidia-(?!container)[\w+-]+|(EGL|GLX|GLESv2|GLESv1_CM)_nvidia)\.so(\.|$)/.test(name);

/** Fills each NVIDIA GPU's nodes (its /dev/nvidiaN, then its DRM nodes) and lists the driver's files. */
export function nvidiaAccess(
  p: ParsedArtifacts,
  nv: NvidiaEvidence,
  gpus: GpuReport[],
  drm: ReadonlyMap<string, string[]>,
  notes: Notes,
): GpuDriverFiles | null {
  for (const g of gpus) g.deviceNodes = [...nvidiaNode(p, nv, g, gpus.length, notes), ...(g.pciBusId ? (drm.get(g.pciBusId) ?? []) : [])];
  if (!gpus.some((g) => g.usable)) return null;
  const version = nv.driverVersion ?? nv.moduleVersion;
  const nodes = COMMON_NODES.filter((n) => p.mayHave(n));
  const withheld = (p.devices ?? []).filter((d) => d.startsWith('/dev/nvidia-caps/')); // MIG capabilities administer the GPU
  const none = { vendor: 'nvidia' as const, wsl: false, nodes, withheld, libraries: [], files: [], folders: [], version: null };
  if (!version) {
    notes.push('the NVIDIA driver version is unknown, so its libraries could not be matched');
    return none;
  }
  const libraries = nvidiaLibraries(p, version);
  if (libraries.length === 0) {
    notes.push(`no library of the NVIDIA driver ${version} was found (looked in the linker cache and ${LIBRARY_FOLDERS.join(', ')})`);
  }
  const l = p.listing;
  const listed = [...l.entries.keys()];
  const files = [
    ...TOOLS.filter((t) => resolveListed(l, t) !== null).slice(0, 1),
    // GSP firmware of this exact version (the open module needs it; the proprietary one may use it).
    ...listed.filter((f) => f.startsWith(`/lib/firmware/nvidia/${version}/`) && resolveListed(l, f) !== null),
    ...listed.filter((f) => VENDOR_FILES.test(f) && resolveListed(l, f) !== null),
  ];
  return { ...none, libraries, files, version };
}

/** /dev/nvidiaN, N being the GPU's minor number as the driver reports it. */
function nvidiaNode(p: ParsedArtifacts, nv: NvidiaEvidence, g: GpuReport, count: number, notes: Notes): string[] {
  const same = (o: { uuid: string | null; pciBusId: string | null }) =>
    (g.uuid !== null && o.uuid === g.uuid) || (g.pciBusId !== null && o.pciBusId === g.pciBusId);
  const minor = nv.gpus.find(same)?.minor ?? nv.procGpus.find(same)?.minor ?? null;
  if (minor === null) {
    // One GPU and one numbered node: they are each other's.
    if (count === 1 && nv.numberedNodes.length === 1) return nv.numberedNodes;
    const which = g.pciBusId ?? g.model ?? 'an NVIDIA GPU';
    if (g.usable) notes.push(`the device minor of ${which} is unknown (nvidia-smi -q -x and /proc/driver/nvidia did not say)`);
    return [];
  }
  const node = `/dev/nvidia${minor}`;
  if (p.mayHave(node)) return [node];
  if (g.usable) notes.push(`${node} is missing although the driver gives ${g.pciBusId ?? 'a GPU'} minor ${minor}`);
  return [];
}

/**
 * The driver's libraries of exactly this version: real files named <lib>.so.<version>, each with the
 * names the linker cache and the links beside it give. A 32-bit copy (by the cache's ABI) is left out;
 * of two 64-bit copies of one file the first folder wins.
 */
function nvidiaLibraries(p: ParsedArtifacts, version: string): { path: string; names: string[] }[] {
  const l = p.listing;
  const cache = p.ldconfig.filter((e) => isNvidiaDriverLibrary(e.name));
  const want = p.raw.host.arch === 'arm64' ? /AArch64/ : /x86-64/;
  const foreign = new Set(cache.filter((e) => !want.test(e.abi)).flatMap((e) => [e.path, resolveListed(l, e.path) ?? e.path]));
  const native = cache.filter((e) => want.test(e.abi)).map((e) => resolveListed(l, e.path));
  const folderRank = (f: string) => {
    const i = LIBRARY_FOLDERS.indexOf(path.posix.dirname(f));
    return i >= 0 ? i : LIBRARY_FOLDERS.length;
  };
  const rank = (f: string) => (native.includes(f) ? native.indexOf(f) : native.length + folderRank(f));
  const byReal = new Map<string, Set<string>>();
  for (const f of [...l.entries.keys(), ...cache.map((e) => e.path)]) {
    const name = path.posix.basename(f);
    if (!isNvidiaDriverLibrary(name) || foreign.has(f)) continue;
    const real = resolveListed(l, f);
    if (!real || !path.posix.basename(real).endsWith(`.so.${version}`) || foreign.has(real)) continue;
    byReal.set(real, (byReal.get(real) ?? new Set([path.posix.basename(real)])).add(name));
  }
  const chosen = new Map<string, string>(); // file name -> real path
  for (const real of [...byReal.keys()].sort((x, y) => rank(x) - rank(y) || x.localeCompare(y))) {
    const base = path.posix.basename(real);
    if (!chosen.has(base)) chosen.set(base, real);
  }
  return [...chosen.values()].sort().map((real) => ({ path: real, names: [...byReal.get(real)!].sort() }));
}
