// What passing each GPU into the appliance takes: its own device nodes, and per maker the shared
// nodes and the driver's user-space files (each vendor module says which). Only what the host
// listed is named, so every path exists.
import path from 'node:path';
import { PASSABLE_VENDORS, type GpuVendor } from '../../../appliance/gpu-vendors.ts';
import type { ParsedArtifacts } from '../parsed.ts';
import type { GpuDriverFiles, GpuReport, Platform } from '../report.ts';
import { listedIn, type Listing } from '../parse/listing.ts';
import type { Notes, VendorAnalysis } from '../vendors/vendor.ts';

const WSL_LIB = '/usr/lib/wsl/lib';
const WSL_DRIVERS = '/usr/lib/wsl/drivers';

/** Fills each GPU's deviceNodes and returns what each maker with a usable GPU needs besides. */
export function gpuAccess(
  p: ParsedArtifacts,
  platform: Platform,
  gpus: GpuReport[],
  analyses: ReadonlyMap<GpuVendor, VendorAnalysis>,
  notes: Notes,
): GpuDriverFiles[] {
  if (platform === 'wsl2') {
    // Every maker's GPU comes through Windows' /dev/dxg and the driver files Windows shares.
    const wsl = wslFiles(p);
    return PASSABLE_VENDORS.filter((v) => gpus.some((g) => g.vendor === v && g.usable)).map((vendor) => ({ ...wsl, vendor }));
  }
  if (platform !== 'linux') return [];
  const drm = drmNodesByBus(p.listing, (node) => p.mayHave(node));
  const out: GpuDriverFiles[] = [];
  for (const [vendor, analysis] of analyses) {
    const files = analysis.access?.(
      gpus.filter((g) => g.vendor === vendor),
      drm,
    );
    if (files) out.push(files);
  }
  for (const g of gpus) {
    if (g.usable && g.deviceNodes.length === 0)
      notes.push(`no device node of ${g.pciBusId ?? g.model ?? 'a GPU'} was found (neither /dev/dri/by-path nor /sys/class/drm names it)`);
  }
  return out;
}

/**
 * The DRM nodes of each PCI address, from udev's links (/dev/dri/by-path/pci-0000:01:00.0-card ->
 * ../card1) and the kernel's (/sys/class/drm/card1 -> ../../devices/.../0000:01:00.0/drm/card1).
 */
export function drmNodesByBus(l: Listing, has: (node: string) => boolean): Map<string, string[]> {
  const byBus = new Map<string, Set<string>>();
  const add = (bus: string, node: string) => {
    if (has(node)) byBus.set(bus.toLowerCase(), (byBus.get(bus.toLowerCase()) ?? new Set()).add(node));
  };
  for (const f of listedIn(l, '/dev/dri/by-path')) {
    const m = /^pci-([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])-(card|render)$/i.exec(path.posix.basename(f));
    const target = l.entries.get(f)?.target;
    if (m && target) add(m[1]!, path.posix.resolve('/dev/dri/by-path', target));
  }
  for (const f of listedIn(l, '/sys/class/drm')) {
    const m = /\/([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\/drm\/((card|renderD)\d+)$/i.exec(l.entries.get(f)?.target ?? '');
    if (m && path.posix.basename(f) === m[2]) add(m[1]!, `/dev/dri/${m[2]}`);
  }
  return new Map([...byBus].map(([bus, nodes]) => [bus, [...nodes].sort()]));
}

/** WSL2: /dev/dxg, the libraries Windows shares, and the driver store they load from. */
function wslFiles(p: ParsedArtifacts): Omit<GpuDriverFiles, 'vendor'> {
  const l = p.listing;
  const lib = listedIn(l, WSL_LIB).length > 0 || l.entries.get(WSL_LIB)?.kind === 'folder';
  const stores = listedIn(l, WSL_DRIVERS).filter((f) => l.entries.get(f)!.kind === 'folder');
  return {
    wsl: true,
    nodes: p.mayHave('/dev/dxg') ? ['/dev/dxg'] : [],
    withheld: [],
    libraries: [],
    files: [],
    folders: [...(lib ? [WSL_LIB] : []), ...stores],
    version: null,
  };
}
