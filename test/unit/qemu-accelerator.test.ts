// Which accelerator a guest gets, and why: hardware only for the host's own architecture and only once
// a test boot proves it; /dev/kvm missing, closed to this user, or PVM's alone means emulation, said so.
// The doctor says the same of a host report, with what emulation costs.
import { describe, expect, it } from 'vitest';
import { afterProbe, chooseAccelerator, kvmState, type AcceleratorFacts } from '../../platforms/qemu/accelerator.ts';
import { analyzeHost } from '../../platforms/host/analyze.ts';
import { adapterEntry } from '../../platforms/registry.ts';
import { artifacts, fixture, fromLsLong } from '../support/artifacts.ts';

const linux = (kvm: AcceleratorFacts['kvm'], guestArch: AcceleratorFacts['guestArch'] = 'x86_64'): AcceleratorFacts => ({
  host: 'linux',
  hostArch: 'x86_64',
  guestArch,
  kvm,
});

describe('/dev/kvm, as far as it can be seen', () => {
  it('missing, closed to this user, PVM’s alone, there, or not looked at', () => {
    expect(kvmState({ device: false, writable: null, modules: ['kvm'] })).toBe('absent');
    expect(kvmState({ device: true, writable: false, modules: ['kvm', 'kvm_intel'] })).toBe('no-access');
    expect(kvmState({ device: true, writable: true, modules: ['kvm', 'kvm_pvm'] })).toBe('pvm');
    expect(kvmState({ device: true, writable: true, modules: ['kvm', 'kvm_amd', 'kvm_pvm'] })).toBe('present');
    expect(kvmState({ device: true, writable: null, modules: null })).toBe('present');
    expect(kvmState({ device: null, writable: null, modules: null })).toBe('unknown');
  });
});

describe('the accelerator', () => {
  it('KVM, HVF and WHPX each wait for a test boot', () => {
    expect(chooseAccelerator(linux('present'))).toEqual({ accelerator: 'kvm', why: 'KVM (/dev/kvm)', probe: true });
    expect(chooseAccelerator(linux('unknown')).probe).toBe(true);
    expect(chooseAccelerator({ host: 'macos', hostArch: 'aarch64', guestArch: 'aarch64', kvm: 'unknown' })).toMatchObject({
      accelerator: 'hvf',
      probe: true,
    });
    expect(chooseAccelerator({ host: 'windows', hostArch: 'x86_64', guestArch: 'x86_64', kvm: 'unknown' })).toMatchObject({
      accelerator: 'whpx',
      probe: true,
    });
  });

  it('emulation, saying why, where no hardware accelerator can run the guest', () => {
    const why = (f: AcceleratorFacts) => {
      const c = chooseAccelerator(f);
      expect([c.accelerator, c.probe]).toEqual(['tcg', false]);
      return c.why;
    };
    expect(why(linux('present', 'aarch64'))).toBe('an aarch64 guest cannot run on this x86_64 processor, so QEMU emulates the processor');
    expect(why({ host: 'macos', hostArch: 'aarch64', guestArch: 'x86_64', kvm: 'unknown' })).toMatch(/^an x86_64 guest cannot run/);
    expect(why(linux('absent'))).toMatch(/^this computer has no \/dev\/kvm/);
    expect(why(linux('no-access'))).toMatch(/^this user may not open \/dev\/kvm \(add it to the kvm group: sudo usermod -aG kvm/);
    expect(why(linux('pvm'))).toBe(
      "/dev/kvm is PVM's (the kvm_pvm module), which boots only kernels built for PVM, so QEMU emulates the processor",
    );
  });

  it('after the test boot: the hardware accelerator if the kernel booted, else emulation with the reason', () => {
    const kvm = chooseAccelerator(linux('present'));
    expect(afterProbe(kvm, { booted: true, ms: 412 })).toEqual({
      accelerator: 'kvm',
      why: "KVM (/dev/kvm): a test boot reached the kernel's end in 412 ms",
    });
    expect(afterProbe(kvm, { booted: false, detail: 'no kernel started within 3 s' })).toEqual({
      accelerator: 'tcg',
      why: 'KVM (/dev/kvm) did not boot a test kernel (no kernel started within 3 s), so QEMU emulates the processor',
    });
    const pvm = chooseAccelerator(linux('pvm'));
    expect(afterProbe(pvm, null)).toEqual({ accelerator: 'tcg', why: pvm.why });
  });
});

describe("the doctor's word on QEMU", () => {
  it("this machine's recorded facts: QEMU 7.2, a PVM /dev/kvm, so emulation, and what emulation costs", () => {
    const { devices, listing } = fromLsLong(new TextDecoder().decode(fixture('ls-l-sys-module-kvm', 'nested-pvm-6-18-dev-kvm-root-only')));
    const report = analyzeHost({
      ...artifacts({ devices, commands: { 'qemu-version': fixture('qemu-version', 'x86_64-7-2-22-debian-12') } }),
      listing,
    });
    expect(report.host.kvm).toEqual({ device: true, modules: ['kvm', 'kvm_pvm'] });
    const note = adapterEntry('qemu').describe!(report);
    expect(note.title).toBe('Virtual machine (QEMU)');
    expect(note.detail).toBe(
      "QEMU 7.2.22; /dev/kvm is PVM's (the kvm_pvm module), which boots only kernels built for PVM, so QEMU emulates the processor; " +
        'emulated, an x86_64 guest takes about 2.1 s to boot and runs the app several times slower',
    );
    expect(note.facts).toMatchObject({ found: true, version: '7.2.22', kvm: 'pvm', accelerator: 'tcg', probe: false });
  });

  it('a KVM host waits for the test boot; a host without QEMU says it is only needed for VM isolation', () => {
    const report = analyzeHost({ ...artifacts({ devices: ['/dev/kvm'] }), listing: ['/sys/module/kvm/', '/sys/module/kvm_intel/'] });
    const note = adapterEntry('qemu').describe!(report);
    expect(note.detail).toMatch(
      /^QEMU is not installed \(only needed for --isolation vm\); KVM \(\/dev\/kvm\), once a test boot at the start/,
    );
    expect(note.facts).toMatchObject({ found: false, kvm: 'present', accelerator: 'kvm', probe: true });
  });
});
