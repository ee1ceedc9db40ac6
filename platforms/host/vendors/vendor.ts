// What a GPU maker's module gives the host analysis. One module per maker, in vendors/<id>/;
// vendors/index.ts lists them under the ids of appliance/gpu-vendors.ts.
import type { KnownVendor } from '../../../appliance/gpu-vendors.ts';
import type { HostInfo } from '../artifacts.ts';
import type { ParsedArtifacts } from '../parsed.ts';
import type { CommandSpec } from '../probe-spec.ts';
import type { PciDevice } from '../parse/pci.ts';
import type { LdconfigEntry } from '../parse/linux.ts';
import type { WindowsVideoController } from '../parse/windows.ts';
import type { MacGpu } from '../parse/macos.ts';
import type { GpuDriverFiles, GpuReport, GpuVerdict, Platform } from '../report.ts';

export type Notes = string[];

/** What the probe records for one maker, on top of what it records for every host. */
export interface VendorProbe {
  commands?: Partial<Record<HostInfo['os'], readonly CommandSpec[]>>;
  /** Linux files read (globs: one '*' per path segment). */
  files?: readonly string[];
  /** Linux files read in the folder of each GPU's PCI device. */
  pciFiles?: readonly string[];
  /** Device nodes looked for. */
  devices?: readonly string[];
  /** Driver files listed (names and link targets, never contents). */
  listed?: readonly string[];
  /** More patterns to list, from the folders the linker cache names for the maker's libraries. */
  listedByLinker?: (cache: LdconfigEntry[]) => string[];
  /** Where its tools live when they are not on PATH. */
  extraPath?: readonly string[];
}

/** What the analysis gives one maker: this host's artifacts and the devices already known to be its. */
export interface VendorInput {
  p: ParsedArtifacts;
  platform: Platform;
  /** Its PCI display and accelerator devices (Linux). */
  pci: PciDevice[];
  /** Its adapters in Windows' list (Windows). */
  controllers: WindowsVideoController[];
  /** Its GPUs in system_profiler's list (macOS). */
  displays: MacGpu[];
  notes: Notes;
}

export interface VendorAnalysis {
  gpus: GpuReport[];
  /**
   * On Linux and WSL2, once every GPU is known: fills its GPUs' own device nodes (nodesByBus has
   * the DRM nodes of each PCI address) and says what its usable ones need besides.
   */
  access?(gpus: GpuReport[], nodesByBus: ReadonlyMap<string, string[]>): GpuDriverFiles | null;
}

export interface DriverFix {
  fix: string;
  fixCommand?: string;
}

export interface HostVendor<Drivers extends readonly string[] = readonly string[]> {
  id: KnownVendor;
  /** PCI vendor ids, four lower-case hex digits. */
  pciVendorIds: readonly string[];
  /** Recognizes the maker in a product or vendor name, where no PCI id was recorded. */
  names: RegExp;
  /** The kernel and platform drivers its GPUs report (the report's driver names). */
  driverNames: Drivers;
  probe?: VendorProbe;
  /**
   * Its GPUs on this host, from whatever was recorded; null (or absent) where it has nothing to say:
   * then they are listed as found, never usable.
   */
  analyze?(input: VendorInput): VendorAnalysis | null;
  /** How to make a GPU of it usable, by the verdict on it; absent: the maker needs no driver fix here. */
  fix?(g: GpuReport & { verdict: GpuVerdict }, platform: Platform, p: ParsedArtifacts): DriverFix | null;
}

/** A GPU with every field it does not know set to unknown. */
export function gpuReport(partial: Partial<GpuReport> & Pick<GpuReport, 'vendor' | 'usable' | 'verdict' | 'reason'>): GpuReport {
  return {
    model: null,
    vramBytes: null,
    pciBusId: null,
    uuid: null,
    driver: { name: 'unknown', version: null },
    cudaVersion: null,
    rocmVersion: null,
    deviceNodes: [],
    ...partial,
  };
}

/** A verdict and its words, as one value. */
export const verdict = (code: GpuVerdict, reason: string): Pick<GpuReport, 'usable' | 'verdict' | 'reason'> => ({
  usable: code === 'ready',
  verdict: code,
  reason,
});

export const ON_MACOS = verdict('not-passable', 'macOS has no way to pass a GPU into a Linux appliance yet');
