// Which accelerator runs the guest, and why. Hardware (KVM on Linux, Hypervisor.framework on macOS,
// Windows Hypervisor Platform) only for a guest of the host's own architecture, and only once a test
// boot has proven it boots a kernel: a /dev/kvm can be there and still run nothing (a nested PVM
// one boots only PVM guest kernels). Otherwise QEMU emulates the processor (TCG). Pure.
import type { HostFacts } from '../../appliance/host-facts.ts';
import type { ImageArch } from '../../appliance/image-policy.ts';
import type { Accelerator } from './command.ts';

/** What this host's /dev/kvm is: there and usable as far as can be seen, missing, closed to this user, PVM's alone. */
export type KvmState = 'present' | 'absent' | 'no-access' | 'pvm' | 'unknown';

export interface AcceleratorFacts {
  host: HostFacts['host']['platform'];
  hostArch: ImageArch | null;
  guestArch: ImageArch;
  kvm: KvmState;
}

export interface AcceleratorChoice {
  accelerator: Accelerator;
  why: string;
  /** A hardware accelerator, used only once a test boot proves it boots a kernel. */
  probe: boolean;
}

/** How a test boot went: it reached the kernel's end, or why not. */
export type ProbeOutcome = { booted: true; ms: number } | { booted: false; detail: string };

/** What /dev/kvm is, from what is known: null where a fact was not looked at. */
export function kvmState(f: { device: boolean | null; writable: boolean | null; modules: readonly string[] | null }): KvmState {
  if (f.device === false) return 'absent';
  if (f.writable === false) return 'no-access';
  // PVM's module beside no vendor's: this /dev/kvm runs only guests built for PVM.
  if (f.modules?.includes('kvm_pvm') && !f.modules.some((m) => m === 'kvm_intel' || m === 'kvm_amd')) return 'pvm';
  return f.device ? 'present' : 'unknown';
}

const emulated = (why: string): AcceleratorChoice => ({ accelerator: 'tcg', why: `${why}, so QEMU emulates the processor`, probe: false });

export function chooseAccelerator(f: AcceleratorFacts): AcceleratorChoice {
  if (f.hostArch !== null && f.hostArch !== f.guestArch)
    return emulated(`an ${f.guestArch} guest cannot run on this ${f.hostArch} processor`);
  switch (f.host) {
    case 'macos':
      return { accelerator: 'hvf', why: "macOS's Hypervisor.framework", probe: true };
    case 'windows':
      return { accelerator: 'whpx', why: 'the Windows Hypervisor Platform', probe: true };
    case 'linux':
    case 'wsl2':
      switch (f.kvm) {
        case 'absent':
          return emulated(
            'this computer has no /dev/kvm (virtualization is off, or this is a virtual machine without nested virtualization)',
          );
        case 'no-access':
          return emulated('this user may not open /dev/kvm (add it to the kvm group: sudo usermod -aG kvm $USER, and log in again)');
        case 'pvm':
          return emulated("/dev/kvm is PVM's (the kvm_pvm module), which boots only kernels built for PVM");
        default:
          return { accelerator: 'kvm', why: 'KVM (/dev/kvm)', probe: true };
      }
  }
}

/** The accelerator after its test boot: the hardware one if the kernel booted, else emulation, saying why. */
export function afterProbe(choice: AcceleratorChoice, outcome: ProbeOutcome | null): { accelerator: Accelerator; why: string } {
  if (!choice.probe || outcome === null) return { accelerator: choice.accelerator, why: choice.why };
  if (outcome.booted)
    return { accelerator: choice.accelerator, why: `${choice.why}: a test boot reached the kernel's end in ${outcome.ms} ms` };
  return { accelerator: 'tcg', why: `${choice.why} did not boot a test kernel (${outcome.detail}), so QEMU emulates the processor` };
}

/**
 * A boot to the agent's hello under emulation, in seconds, as bench/ measured it (a 2-core AMD EPYC);
 * with a hardware accelerator the kernel's own start takes a fraction of a second.
 */
export const EMULATED_BOOT_S: Record<ImageArch, number> = { x86_64: 2.1, aarch64: 1.9 };

/** What a boot costs without a hardware accelerator, in words. */
export const emulationCost = (arch: ImageArch): string =>
  `emulated, an ${arch} guest takes about ${EMULATED_BOOT_S[arch]} s to boot and runs the app several times slower`;
