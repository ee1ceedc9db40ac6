// The host report: what `ai-way doctor --json` prints (plus the image choice). Keys are a contract.
import { vendorLabel, type GpuVendor, type PassableVendor } from '../../appliance/gpu-vendors.ts';
import type { VendorDriverName } from './vendors/index.ts';

export type Platform = 'linux' | 'wsl2' | 'macos' | 'windows';
export type Arch = 'x86_64' | 'aarch64';
/** A maker's driver (see each vendor module's driverNames), none bound, or one ai-way cannot tell. */
export type DriverName = VendorDriverName | 'none' | 'unknown';

/**
 * Whether a GPU can be used, as a code; its reason says the same in words. ready: usable.
 * no-driver: none loaded for it; not-loaded: the driver is installed but not loaded; wrong-driver:
 * one that cannot compute (Nouveau, radeon); driver-mismatch: driver and libraries differ (a restart
 * is pending); driver-failed: the maker's tool failed or hung; blocked: the operating system blocks it; missing-node: a device node the
 * driver needs is absent; not-listed: the driver does not list it; no-tool: the maker's tool is
 * not installed, so the driver could not be asked; unchecked: nothing recorded says whether a
 * driver is loaded; not-passable: ai-way cannot pass this GPU into an appliance here.
 */
export type GpuVerdict =
  | 'ready'
  | 'no-driver'
  | 'not-loaded'
  | 'wrong-driver'
  | 'driver-mismatch'
  | 'driver-failed'
  | 'blocked'
  | 'missing-node'
  | 'not-listed'
  | 'no-tool'
  | 'unchecked'
  | 'not-passable';

export interface GpuReport {
  vendor: GpuVendor;
  model: string | null;
  vramBytes: number | null;
  pciBusId: string | null;
  uuid: string | null;
  driver: { name: DriverName; version: string | null };
  cudaVersion: string | null;
  rocmVersion: string | null;
  usable: boolean;
  verdict: GpuVerdict;
  /** Why it is (or is not) usable, in plain words. */
  reason: string;
  /** This GPU's own device nodes (/dev/nvidiaN by minor, /dev/dri/cardN and renderDN by PCI address). */
  deviceNodes: string[];
}

/** What a vendor's GPUs need besides their own nodes, found on this host (all paths exist there). */
export interface GpuDriverFiles {
  vendor: PassableVendor;
  /** Windows' driver shared into WSL2 through /dev/dxg. */
  wsl: boolean;
  /** Nodes every GPU of the vendor needs: nvidiactl, nvidia-uvm, nvidia-uvm-tools, nvidia-modeset, /dev/kfd, /dev/dxg. */
  nodes: string[];
  /** Present but never passed: NVIDIA's MIG capability nodes administer the GPU. */
  withheld: string[];
  /** The driver's libraries for its exact version: the real file and every name programs load it by. */
  libraries: { path: string; names: string[] }[];
  /** Files passed at their own path: nvidia-smi, GSP firmware, Vulkan/EGL/OpenCL vendor files. */
  files: string[];
  /** Folders passed whole, read-only: WSL2's /usr/lib/wsl/lib and its driver store. */
  folders: string[];
  /** The driver version the libraries were matched to. */
  version: string | null;
}

export interface ToolReport {
  found: boolean;
  version: string | null;
  [detail: string]: unknown;
}

export type PrerequisiteId = 'memory' | 'podman' | 'wsl' | 'lima' | 'qemu' | 'virtualization' | 'gpu-driver';

export interface Prerequisite {
  id: PrerequisiteId;
  /** False only when the thing is needed here and missing. */
  ok: boolean;
  status: 'ok' | 'missing' | 'unknown' | 'not-needed';
  /** Whether ai-way cannot start without it on this host. */
  required: boolean;
  title: string;
  detail: string;
  fix: string | null;
  /** A command the user can copy, when there is one. */
  fixCommand: string | null;
}

export interface HostReport {
  host: {
    platform: Platform;
    arch: Arch | null;
    memBytes: number | null;
    cpus: number | null;
    cpuModel: string | null;
    virtualization: 'available' | 'disabled' | 'unknown';
    osName: string | null;
    kernel: string | null;
    wslVersion: 1 | 2 | null;
    /** /dev/kvm and the kernel's KVM modules (kvm, kvm_intel, kvm_pvm, ...): which accelerator a virtual machine can get. */
    kvm: { device: boolean | null; modules: string[] | null };
  };
  gpus: GpuReport[];
  gpuDrivers: GpuDriverFiles[];
  tools: { podman: ToolReport; wsl: ToolReport; limactl: ToolReport; qemu: ToolReport; bolt: ToolReport };
  prerequisites: Prerequisite[];
  /** Why a value is null or a guess: inputs that were missing, unreadable or timed out. */
  notes: string[];
}

/** How to name a GPU to a person: its model, or its maker when the model is unknown. */
export const gpuLabel = (g: Pick<GpuReport, 'model' | 'vendor'>): string => g.model ?? `${vendorLabel(g.vendor)} GPU`;
