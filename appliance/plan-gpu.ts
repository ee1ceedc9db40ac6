// The Plan's GPU: which of the host's GPUs reach the appliance, and how (a CDI spec, or WSL2's
// /dev/dxg), or why none does and what the person can do about it. Pure.
import { buildCdiSpec, type CdiSpec, NoGpuError } from './cdi.ts';
import { GPU_VENDORS, isPassable, PASSABLE_VENDORS, type PassableVendor } from './gpu-vendors.ts';
import type { HostFacts } from './host-facts.ts';
import type { ImageChoice } from './image-policy.ts';

export interface GpuPlan {
  mode: 'none' | 'cdi' | 'wsl';
  vendor: PassableVendor | null;
  devices: { model: string | null; pciBusId: string | null; uuid: string | null }[];
  reason: string;
  /**
   * How the GPUs reach the appliance: a CDI spec of this host and the devices of it to use. Null
   * where the spec can only be made inside the guest (a Windows host: WSL2 makes it).
   */
  cdi: { spec: CdiSpec; devices: string[] } | null;
}

const WSL_GPU_REASON = 'Windows shares the GPU through /dev/dxg and its driver libraries';

const DOCTOR_GPU = 'run "ai-way doctor": it says what the GPU needs';

/**
 * The host's GPU, where the way to Linux has a path for it. Each reason for none is told to
 * `noGpu` with what the person can do about it (an appliance that requires a GPU cannot start).
 */
export function planGpu(
  f: HostFacts,
  wanted: 'auto' | 'none',
  image: ImageChoice,
  way: { id: string; gpuModes: readonly Exclude<GpuPlan['mode'], 'none'>[] },
  out: { warnings: string[]; noGpu: (reason: string, fix: string) => void },
): GpuPlan {
  const none = (reason: string, fix = DOCTOR_GPU): GpuPlan => {
    out.noGpu(reason, fix);
    return { mode: 'none', vendor: null, devices: [], reason, cdi: null };
  };
  if (wanted === 'none') return none('turned off by the user (--gpu none)', 'leave out --gpu none');
  if (f.host.platform === 'macos') {
    // Metal, the only way to a Mac's GPU, does not reach a Linux virtual machine.
    return none(
      "the appliance runs on the Mac's processor (CPU): its GPU (Metal) cannot be reached from Linux",
      'run it on Linux or Windows',
    );
  }
  const usable = f.gpus.filter((g) => g.usable && isPassable(g.vendor));
  const vendor = PASSABLE_VENDORS.find((v) => usable.some((g) => g.vendor === v));
  if (!vendor) return none(f.gpus.length ? 'no GPU here can be passed to the appliance' : 'no GPU found');
  const { label, needsGlibc } = GPU_VENDORS[vendor];
  if (needsGlibc && image.flavor === 'alpine') {
    out.warnings.push(`the ${label} GPU is not used: ${label}'s libraries need glibc, which the Alpine image lacks (use --image fedora)`);
    return none(`${label}'s libraries cannot run on the Alpine image`, 'use --image fedora');
  }
  const wsl = f.host.platform === 'wsl2' || f.host.platform === 'windows';
  if (!way.gpuModes.includes(wsl ? 'wsl' : 'cdi')) {
    return none(
      `the ${way.id} way has no path for the GPU into the appliance`,
      "leave out --platform, --isolation and --arch: the computer's own way has one",
    );
  }
  const devices = usable.filter((g) => g.vendor === vendor).map(({ model, pciBusId, uuid }) => ({ model, pciBusId, uuid }));
  if (f.host.platform === 'windows') {
    return { mode: 'wsl', vendor, devices, reason: WSL_GPU_REASON, cdi: null };
  }
  let spec: CdiSpec;
  try {
    spec = buildCdiSpec(f, vendor);
  } catch (e) {
    if (e instanceof NoGpuError) return none(`the ${vendor.toUpperCase()} GPU cannot be passed: ${e.message}`);
    throw e;
  }
  return {
    mode: wsl ? 'wsl' : 'cdi',
    vendor,
    devices,
    reason: wsl ? WSL_GPU_REASON : `the ${vendor.toUpperCase()} GPU's device nodes and driver files are passed by a CDI spec`,
    cdi: { spec, devices: ['all'] },
  };
}
