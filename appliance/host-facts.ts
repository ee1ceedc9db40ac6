// The few host facts the appliance layer decides by. The host report satisfies this shape;
// the appliance layer does not import the platforms layer.
import type { GpuVendor, PassableVendor } from './gpu-vendors.ts';

export interface HostFacts {
  host: {
    platform: 'linux' | 'wsl2' | 'macos' | 'windows';
    arch: 'x86_64' | 'aarch64' | null;
    memBytes: number | null;
    cpus: number | null;
    /** /dev/kvm and the kernel's KVM modules, where the host was looked at that closely. */
    kvm?: { device: boolean | null; modules: readonly string[] | null };
  };
  gpus: readonly {
    vendor: GpuVendor;
    model: string | null;
    usable: boolean;
    pciBusId: string | null;
    uuid: string | null;
    /** The GPU's own device nodes; absent where the host was not looked at that closely. */
    deviceNodes?: readonly string[];
  }[];
  /** What each vendor's GPUs need besides their own nodes (see the host report's gpuDrivers). */
  gpuDrivers?: readonly GpuDriverFacts[];
  /** wsl: recorded on Windows (a version means the Store WSL, which has --version). */
  tools: { bolt: { found: boolean; version: string | null }; wsl?: { found: boolean; version: string | null } };
}

export interface GpuDriverFacts {
  vendor: PassableVendor;
  wsl: boolean;
  nodes: readonly string[];
  libraries: readonly { path: string; names: readonly string[] }[];
  files: readonly string[];
  folders: readonly string[];
  version: string | null;
}
