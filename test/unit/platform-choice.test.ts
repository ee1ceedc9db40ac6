// The way to Linux the Plan takes: the first that applies to the host, a virtual machine where one
// is asked for (--isolation vm, a manifest's isolation.mode, an architecture the host's processor
// does not run), or the one the user named, refused with the reason where it cannot do what is asked.
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../appliance/host-facts.ts';
import { parseManifest } from '../../appliance/manifest.ts';
import { EXIT } from '../../launcher/exit-codes.ts';
import { makePlan, type PlanOptions, startable } from '../../appliance/plan.ts';
import { ADAPTERS } from '../../platforms/registry.ts';

const host = (platform: HostFacts['host']['platform'], arch: 'x86_64' | 'aarch64' = 'x86_64'): HostFacts => ({
  host: { platform, arch, memBytes: 16 * 1024 ** 3, cpus: 8 },
  gpus: [],
  tools: { bolt: { found: false, version: null } },
});
const manifest = (extra = '', archs = ['x86_64', 'aarch64']) =>
  parseManifest(
    [
      'name = "demo"',
      'version = "1.0.0"',
      extra,
      '[images.alpine]',
      ...archs.map((a) => `${a} = "localhost/demo:1.0.0"`),
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
const plan = (f: HostFacts, o: Partial<PlanOptions> = {}, extra = '', archs?: string[]) =>
  makePlan(ADAPTERS, f, { image: 'auto', gpu: 'auto', ...o }, manifest(extra, archs));
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
      [{ problem: 'the wsl2 way does not run on a linux computer', fix: 'leave out --platform: ai-way takes the way this computer has' }],
    ]);
    expect(plan(host('linux'), { platform: 'linux', isolation: 'vm' }).errors).toEqual([
      {
        problem: '--isolation vm asks for a virtual machine, and the linux way has no virtual machine',
        fix: 'use --platform qemu, or leave out --platform',
      },
    ]);
    expect(plan(host('linux'), { platform: 'linux', arch: 'aarch64' }).errors).toEqual([
      {
        problem: 'an aarch64 appliance runs emulated on this x86_64 computer, and the linux way has no virtual machine',
        fix: 'use --platform qemu, or leave out --platform',
      },
    ]);
  });

  it("a virtual machine has no engine: the agent's own sandbox runs the appliance; an engine asked for is refused", () => {
    expect(plan(host('linux'), { platform: 'qemu' }).engine).toEqual({
      name: 'none',
      reason: "the agent's own sandbox runs the appliance in the guest",
      chosenBy: 'policy',
    });
    expect(plan(host('linux'), { platform: 'qemu', engine: 'bolt' }).errors).toEqual([
      {
        problem: 'the qemu way runs no engine, so --engine bolt cannot be had there',
        fix: "leave out --engine: the agent's own sandbox runs the appliance in the guest",
      },
    ]);
    expect(plan(host('linux'), { engine: 'podman' }).engine.name).toBe('podman');
  });
});

describe('what cannot start, and what to do about it', () => {
  const required = '[gpu]\nwish = "required"';
  const fixes = (p: ReturnType<typeof plan>) => p.errors.map((e) => e.fix);

  it('a required GPU: the fix follows the reason', () => {
    expect(fixes(plan(host('linux'), {}, required))).toEqual(['run "ai-way doctor": it says what the GPU needs']);
    expect(fixes(plan(host('linux'), { gpu: 'none' }, required))).toEqual(['leave out --gpu none']);
    expect(fixes(plan(host('macos', 'aarch64'), {}, required))).toEqual(['run it on Linux or Windows']);
  });

  it('no image for the architecture: the architectures the appliance ships', () => {
    expect(plan(host('macos', 'aarch64'), {}, '', ['x86_64']).errors).toEqual([
      {
        problem: 'demo has no image for aarch64 machines',
        fix: "run it with --arch x86_64 (another architecture than the computer's runs emulated, in a virtual machine)",
      },
    ]);
  });

  it('a Plan that cannot start is one Failure: every problem, each fix once, exit 4', () => {
    const p = plan(host('linux'), { platform: 'linux', isolation: 'vm', gpu: 'none' }, required);
    expect(() => startable(p, 'demo')).toThrow(
      expect.objectContaining({
        code: 'prerequisite',
        exitCode: EXIT.prerequisiteMissing,
        message:
          'demo cannot start here: --isolation vm asks for a virtual machine, and the linux way has no virtual machine; ' +
          'demo needs a GPU, and turned off by the user (--gpu none)',
        fix: 'use --platform qemu, or leave out --platform; leave out --gpu none',
      }),
    );
    const ok = plan(host('linux'));
    expect(startable(ok, 'demo').appliance.name).toBe('demo');
  });
});
