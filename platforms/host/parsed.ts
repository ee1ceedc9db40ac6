// The artifacts every part of the analysis shares, each decoded and parsed once. Vendor modules
// parse their own records (nvidia-smi, rocminfo) once, in their analysis.
import type { Artifacts } from './artifacts.ts';
import { commandText, decodeText, type CommandText } from './text.ts';
import {
  parseCpuinfo,
  parseLdconfig,
  parseMeminfoTotal,
  parseModules,
  parseOsRelease,
  type CpuInfo,
  type LdconfigEntry,
  type OsRelease,
} from './parse/linux.ts';
import { parseListing, type Listing } from './parse/listing.ts';
import { isGpuClass, parseLspci, parsePciUevent, type PciDevice } from './parse/pci.ts';

export interface ParsedArtifacts {
  raw: Artifacts;
  /** A recorded command's run, decoded; null when it was not recorded. */
  command(name: string): CommandText | null;
  /** A recorded file, decoded; null when it was not recorded. */
  file(path: string): string | null;
  /** A value worked out from the artifacts, computed the first time it is asked for (each record is parsed once). */
  once<T>(key: string, parse: () => T): T;
  /** Recorded files whose path matches, in path order. */
  filesMatching(re: RegExp): string[];
  /** Device nodes present; null when the list was not recorded. */
  devices: readonly string[] | null;
  /** A node that is present, or may be: a bundle without a device list cannot contradict it. */
  mayHave(node: string): boolean;
  listing: Listing;
  osRelease: OsRelease | null;
  cpuinfo: CpuInfo | null;
  memTotalBytes: number | null;
  /** Loaded kernel modules (/proc/modules); null when not recorded. */
  modules: ReadonlySet<string> | null;
  /** The linker cache, when `ldconfig -p` answered. */
  ldconfig: LdconfigEntry[];
  /** Display and accelerator devices, from sysfs and lspci together, in PCI order. */
  pciGpus: PciDevice[];
}

export function parseArtifacts(a: Artifacts): ParsedArtifacts {
  const commands = new Map<string, CommandText | null>();
  const files = new Map<string, string | null>();
  const command = (name: string) => {
    if (!commands.has(name)) commands.set(name, commandText(a, name));
    return commands.get(name)!;
  };
  const file = (path: string) => {
    if (!files.has(path)) files.set(path, a.files.has(path) ? decodeText(a.files.get(path)) : null);
    return files.get(path)!;
  };
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, parse: () => T): T => {
    if (!memo.has(key)) memo.set(key, parse());
    return memo.get(key) as T;
  };
  const text = (path: string) => file(path);
  const cpuinfo = text('/proc/cpuinfo');
  const meminfo = text('/proc/meminfo');
  const modules = text('/proc/modules');
  const osRelease = text('/etc/os-release');
  const ldconfig = command('ldconfig-p');
  const parsed: ParsedArtifacts = {
    raw: a,
    command,
    file,
    once,
    filesMatching: (re) => [...a.files.keys()].filter((p) => re.test(p)).sort(),
    devices: a.devices,
    mayHave: (node) => a.devices === null || a.devices.includes(node),
    listing: parseListing(a.listing ?? []),
    osRelease: osRelease === null ? null : parseOsRelease(osRelease),
    cpuinfo: cpuinfo === null ? null : parseCpuinfo(cpuinfo),
    memTotalBytes: meminfo === null ? null : parseMeminfoTotal(meminfo),
    modules: modules === null ? null : parseModules(modules),
    ldconfig: ldconfig?.ok ? parseLdconfig(ldconfig.out) : [],
    pciGpus: [],
  };
  parsed.pciGpus = pciGpus(parsed);
  return parsed;
}

/** sysfs names the bound driver for certain; lspci adds the names, and the devices sysfs was not read for. */
function pciGpus(p: ParsedArtifacts): PciDevice[] {
  const byBus = new Map<string, PciDevice>();
  for (const path of p.filesMatching(/^\/sys\/bus\/pci\/devices\/[^/]+\/uevent$/)) {
    const dev = parsePciUevent(p.file(path) ?? '');
    if (dev && isGpuClass(dev.classCode)) byBus.set(dev.pciBusId, dev);
  }
  const lspci = p.command('lspci-nnk');
  if (lspci && !lspci.timedOut) {
    // a non-zero exit (a warning about one device) still lists the rest
    for (const dev of parseLspci(lspci.out)) {
      if (!isGpuClass(dev.classCode)) continue;
      const known = byBus.get(dev.pciBusId);
      byBus.set(dev.pciBusId, known ? { ...dev, ...known, description: dev.description, kernelModules: dev.kernelModules } : dev);
    }
  }
  return [...byBus.values()].sort((x, y) => x.pciBusId.localeCompare(y.pciBusId));
}
