// What passing each GPU into the appliance takes: its own device nodes, and per vendor the shared
// nodes and the driver's user-space files. Only what the host listed is named, so every path exists.
import path from 'node:path';
import type { Artifacts } from '../artifacts.ts';
import type { GpuDriverFiles, GpuReport, Platform } from '../report.ts';
import { commandText } from '../text.ts';
import { isNvidiaDriverLibrary, parseLdconfig } from '../parse/linux.ts';
import { listedIn, parseListing, resolveListed, type Listing } from '../parse/listing.ts';
import { nvidiaProcGpus, type NvidiaFacts } from './nvidia.ts';
import type { Notes } from './host.ts';

const NVIDIA_COMMON_NODES = ['/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidia-modeset'];
// The folder order decides between two copies of one library; the linker cache's own order comes first.
const LIBRARY_FOLDERS = ['/usr/local/nvidia/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
const NVIDIA_TOOLS = ['/usr/bin/nvidia-smi', '/usr/local/nvidia/bin/nvidia-smi'];
const NVIDIA_VENDOR_FILES = /^\/(usr\/share|etc)\/(vulkan|glvnd|egl|OpenCL)\/.*nvidia[^/]*\.(json|icd)$/;
const WSL_LIB = '/usr/lib/wsl/lib';
const WSL_DRIVERS = '/usr/lib/wsl/drivers';

/** Fills each GPU's deviceNodes and returns what each vendor with a usable GPU needs besides. */
export function gpuAccess(a: Artifacts, platform: Platform, gpus: GpuReport[], nv: NvidiaFacts, notes: Notes): GpuDriverFiles[] {
  if (platform !== 'linux' && platform !== 'wsl2') return [];
  const listing = parseListing(a.listing ?? []);
  // A bundle without a device list cannot contradict a link; a live probe always lists the nodes.
  const has = (node: string) => a.devices === null || a.devices.includes(node);
  const drm = drmNodesByBus(listing, has);
  const out: GpuDriverFiles[] = [];
  if (platform === 'wsl2') {
    const wsl = wslFiles(listing, has);
    for (const vendor of ['nvidia', 'amd', 'intel'] as const) {
      if (gpus.some((g) => g.vendor === vendor && g.usable)) out.push({ ...wsl, vendor });
    }
    return out;
  }
  const nvidiaCount = gpus.filter((g) => g.vendor === 'nvidia').length;
  for (const g of gpus) {
    const own = g.pciBusId ? drm.get(g.pciBusId) ?? [] : [];
    if (g.vendor === 'nvidia') g.deviceNodes = [...nvidiaNode(a, nv, g, nvidiaCount, has, notes), ...own];
    else if (g.vendor === 'amd' || g.vendor === 'intel') g.deviceNodes = own;
    if (g.usable && g.deviceNodes.length === 0) notes.push(`no device node of ${g.pciBusId ?? g.model ?? 'a GPU'} was found (neither /dev/dri/by-path nor /sys/class/drm names it)`);
  }
  if (gpus.some((g) => g.vendor === 'nvidia' && g.usable)) out.push(nvidiaFiles(a, listing, nv, has, notes));
  if (gpus.some((g) => g.vendor === 'amd' && g.usable)) out.push(driverFiles('amd', has('/dev/kfd') ? ['/dev/kfd'] : []));
  if (gpus.some((g) => g.vendor === 'intel' && g.usable)) out.push(driverFiles('intel', []));
  return out;
}

const driverFiles = (vendor: GpuDriverFiles['vendor'], nodes: string[], more: Partial<GpuDriverFiles> = {}): GpuDriverFiles =>
  ({ vendor, wsl: false, nodes, withheld: [], libraries: [], files: [], folders: [], version: null, ...more });

/**
 * The DRM nodes of each PCI address, from udev's links (/dev/dri/by-path/pci-0000:01:00.0-card ->
 * ../card1) and the kernel's (/sys/class/drm/card1 -> ../../devices/.../0000:01:00.0/drm/card1).
 */
function drmNodesByBus(l: Listing, has: (node: string) => boolean): Map<string, string[]> {
  const byBus = new Map<string, Set<string>>();
  const add = (bus: string, node: string) => {
    if (has(node)) byBus.set(bus.toLowerCase(), (byBus.get(bus.toLowerCase()) ?? new Set()).add(node));
  };
  for (const p of listedIn(l, '/dev/dri/by-path')) {
    const m = /^pci-([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])-(card|render)$/i.exec(path.posix.basename(p));
    const target = l.entries.get(p)?.target;
    if (m && target) add(m[1]!, path.posix.resolve('/dev/dri/by-path', target));
  }
  for (const p of listedIn(l, '/sys/class/drm')) {
    const m = /\/([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\/drm\/((card|renderD)\d+)$/i.exec(l.entries.get(p)?.target ?? '');
    if (m && path.posix.basename(p) === m[2]) add(m[1]!, `/dev/dri/${m[2]}`);
  }
  return new Map([...byBus].map(([bus, nodes]) => [bus, [...nodes].sort()]));
}

/** /dev/nvidiaN, N being the GPU's minor number as the driver reports it. */
function nvidiaNode(a: Artifacts, nv: NvidiaFacts, g: GpuReport, count: number, has: (node: string) => boolean, notes: Notes): string[] {
  const same = (o: { uuid: string | null; pciBusId: string | null }) => (g.uuid !== null && o.uuid === g.uuid) || (g.pciBusId !== null && o.pciBusId === g.pciBusId);
  const minor = nv.gpus.find(same)?.minor ?? nvidiaProcGpus(a).find(same)?.minor ?? null;
  if (minor === null) {
    // One GPU and one numbered node: they are each other's.
    const numbered = (a.devices ?? []).filter((d) => /^\/dev\/nvidia\d+$/.test(d));
    if (count === 1 && numbered.length === 1) return numbered;
    if (g.usable) notes.push(`the device minor of ${g.pciBusId ?? g.model ?? 'an NVIDIA GPU'} is unknown (nvidia-smi -q -x and /proc/driver/nvidia did not say)`);
    return [];
  }
  const node = `/dev/nvidia${minor}`;
  if (has(node)) return [node];
  if (g.usable) notes.push(`${node} is missing although the driver gives ${g.pciBusId ?? 'a GPU'} minor ${minor}`);
  return [];
}

function nvidiaFiles(a: Artifacts, l: Listing, nv: NvidiaFacts, has: (node: string) => boolean, notes: Notes): GpuDriverFiles {
  const version = nv.driverVersion ?? nv.kernelModule.version;
  const nodes = NVIDIA_COMMON_NODES.filter(has);
  const withheld = (a.devices ?? []).filter((d) => d.startsWith('/dev/nvidia-caps/'));
  if (!version) {
    notes.push('the NVIDIA driver version is unknown, so its libraries could not be matched');
    return driverFiles('nvidia', nodes, { withheld });
  }
  const libraries = nvidiaLibraries(a, l, version);
  if (libraries.length === 0) notes.push(`no library of the NVIDIA driver ${version} was found (looked in the linker cache and ${LIBRARY_FOLDERS.join(', ')})`);
  const listed = [...l.entries.keys()];
  const files = [
    ...NVIDIA_TOOLS.filter((t) => resolveListed(l, t) !== null).slice(0, 1),
    // GSP firmware of this exact version (the open module needs it; the proprietary one may use it).
    ...listed.filter((p) => p.startsWith(`/lib/firmware/nvidia/${version}/`) && resolveListed(l, p) !== null),
    ...listed.filter((p) => NVIDIA_VENDOR_FILES.test(p) && resolveListed(l, p) !== null),
  ];
  return driverFiles('nvidia', nodes, { withheld, libraries, files, version });
}

/**
 * The driver's libraries of exactly this version: real files named <lib>.so.<version>, each with the
 * names the linker cache and the links beside it give. A 32-bit copy (by the cache's ABI) is left out;
 * of two 64-bit copies of one file the first folder wins.
 */
function nvidiaLibraries(a: Artifacts, l: Listing, version: string): { path: string; names: string[] }[] {
  const ldRun = commandText(a, 'ldconfig-p');
  const cache = ldRun?.ok ? parseLdconfig(ldRun.out).filter((e) => isNvidiaDriverLibrary(e.name)) : [];
  const want = a.host.arch === 'arm64' ? /AArch64/ : /x86-64/;
  const foreign = new Set(cache.filter((e) => !want.test(e.abi)).flatMap((e) => [e.path, resolveListed(l, e.path) ?? e.path]));
  const native = cache.filter((e) => want.test(e.abi)).map((e) => resolveListed(l, e.path));
  const folderRank = (p: string) => {
    const i = LIBRARY_FOLDERS.indexOf(path.posix.dirname(p));
    return i >= 0 ? i : LIBRARY_FOLDERS.length;
  };
  const rank = (p: string) => (native.includes(p) ? native.indexOf(p) : native.length + folderRank(p));
  const byReal = new Map<string, Set<string>>();
  for (const p of [...l.entries.keys(), ...cache.map((e) => e.path)]) {
    const name = path.posix.basename(p);
    if (!isNvidiaDriverLibrary(name) || foreign.has(p)) continue;
    const real = resolveListed(l, p);
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

/** WSL2: /dev/dxg, the libraries Windows shares, and the driver store they load from. */
function wslFiles(l: Listing, has: (node: string) => boolean): Omit<GpuDriverFiles, 'vendor'> {
  const lib = listedIn(l, WSL_LIB).length > 0 || l.entries.get(WSL_LIB)?.kind === 'folder';
  const stores = listedIn(l, WSL_DRIVERS).filter((p) => l.entries.get(p)!.kind === 'folder');
  return { wsl: true, nodes: has('/dev/dxg') ? ['/dev/dxg'] : [], withheld: [], libraries: [], files: [], folders: [...(lib ? [WSL_LIB] : []), ...stores], version: null };
}
