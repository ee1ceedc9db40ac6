// The way to Linux the Plan takes: the first that applies to the host, a virtual machine where one
// is asked for (--isolation vm, a manifest's isolation.mode, an architecture the host's processor
// does not run), or the one the user named, refused with the reason where it cannot do what is asked.
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../appliance/host-facts.ts';
import { parseManifest } from '../../appliance/manifest.ts';
import { makePlan, type PlanOptions } from '../../appliance/plan.ts';
import { ADAPTERS } from '../../platforms/registry.ts';

const host = (platform: HostFacts['host']['platform'], arch: 'x86_64' | 'aarch64' = 'x86_64'): HostFacts => ({
  host: { platform, arch, memBytes: 16 * 1024 ** 3, cpus: 8 },
  gpus: [],
  tools: { bolt: { found: false, version: null } },
});
const manifest = (extra = '') =>
  parseManifest(
    [
      'name = "demo"',
      'version = "1.0.0"',
      extra,
      '[images.alpine]',
      'x86_64 = "localhost/demo:1.0.0"',
      'aarch64 = "localhost/demo:1.0.0"',
      '[app]',
      'command = ["/usr/bin/demo"]',
      'port = 8080',
      '[workspace]',
      'size = "64MiB"',
      '[resources]',
      'memory = "256MiB"',
      'cpus = 1',
      'pids = 64',
      '[health]',
      'path = "/health"',
      'timeout = "10s"',
    ].join('\n'),
    '/srv/demo/appliance.toml',
  );
const plan = (f: HostFacts, o: Partial<PlanOptions> = {}, extra = '') =>
  makePlan(ADAPTERS, f, { image: 'auto', gpu: 'auto', ...o }, manifest(extra));
const way = (p: ReturnType<typeof plan>) => [p.platform.adapter, p.isolation.mode, p.image.arch, p.errors];

describe('the way to Linux', () => {
  it("each host's own way when nothing more is asked", () => {
    expect(way(plan(host('linux')))).toEqual(['linux', 'container', 'x86_64', []]);
    expect(way(plan(host('macos', 'aarch64')))).toEqual(['lima', 'vm', 'aarch64', []]);
  });

  it('a virtual machine for --isolation vm: QEMU on Linux, the host’s own VM way where it has one', () => {
    const onLinux = plan(host('linux'), { isolation: 'vm' });
    expect(way(onLinux)).toEqual(['qemu', 'vm', 'x86_64', []]);
    expect(onLinux.platform.reason).toBe(
      'QEMU: the appliance runs in a virtual machine of its own; --isolation vm asks for a virtual machine',
    );
    expect(way(plan(host('windows'), { isolation: 'vm' }))).toEqual(['wsl2', 'vm', 'x86_64', []]);
    expect(way(plan(host('macos', 'aarch64'), { isolation: 'vm' }))).toEqual(['lima', 'vm', 'aarch64', []]);
  });

  it('a virtual machine for a manifest that asks for one; "any" leaves the host its own way', () => {
    const vm = plan(host('linux'), {}, '[isolation]\nmode = "vm"');
    expect(way(vm)).toEqual(['qemu', 'vm', 'x86_64', []]);
    expect(vm.platform.reason).toMatch(/; demo asks for a virtual machine \(isolation\.mode = "vm"\)$/);
    expect(way(plan(host('linux'), {}, '[isolation]\nmode = "any"'))).toEqual(['linux', 'container', 'x86_64', []]);
  });

  it('another architecture than the processor’s runs emulated, in a virtual machine', () => {
    const p = plan(host('linux'), { arch: 'aarch64' });
    expect(way(p)).toEqual(['qemu', 'vm', 'aarch64', []]);
    expect(p.image.reason).toMatch(/; aarch64 chosen by the user \(--arch aarch64\)$/);
    expect(p.platform.reason).toMatch(/; an aarch64 appliance runs emulated on this x86_64 computer$/);
    expect(way(plan(host('linux'), { arch: 'x86_64' }))).toEqual(['linux', 'container', 'x86_64', []]);
  });

  it('the way the user names, with its reason; refused where it does not run or cannot give what is asked', () => {
    const named = plan(host('linux'), { platform: 'qemu' });
    expect(way(named)).toEqual(['qemu', 'vm', 'x86_64', []]);
    expect(named.platform.reason).toBe('chosen by the user (--platform qemu): QEMU: the appliance runs in a virtual machine of its own');
    expect(way(plan(host('linux'), { platform: 'wsl2' }))).toEqual([
      'wsl2',
      'vm',
      'x86_64',
      ['the wsl2 way does not run on a linux computer'],
    ]);
    expect(plan(host('linux'), { platform: 'linux', isolation: 'vm' }).errors).toEqual([
      '--isolation vm asks for a virtual machine, and the linux way has no virtual machine',
    ]);
    expect(plan(host('linux'), { platform: 'linux', arch: 'aarch64' }).errors).toEqual([
      'an aarch64 appliance runs emulated on this x86_64 computer, and the linux way has no virtual machine',
    ]);
  });

  it("a virtual machine has no engine: the agent's own sandbox runs the appliance; an engine asked for is refused", () => {
    expect(plan(host('linux'), { platform: 'qemu' }).engine).toEqual({
      name: 'none',
      reason: "the agent's own sandbox runs the appliance in the guest",
      chosenBy: 'policy',
    });
    expect(plan(host('linux'), { platform: 'qemu', engine: 'bolt' }).errors).toEqual([
      'the qemu way runs no engine, so --engine bolt cannot be had there',
    ]);
    expect(plan(host('linux'), { engine: 'podman' }).engine.name).toBe('podman');
  });
});
