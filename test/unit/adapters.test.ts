// The platform registry: the way to Linux the Plan takes on each kind of host, each way's
// prerequisites read from the host report, adapters imported only when a launch needs one, and the
// ways not built yet refusing to start (exit 9) through the same launch as Linux, starting nothing;
// WSL2 on a Windows without wsl.exe saying how to install it.
import { describe, expect, it, vi } from 'vitest';
import type { analyzeHost } from '../../platforms/host/analyze.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan } from '../../appliance/plan.ts';
import type { HostFacts } from '../../appliance/host-facts.ts';
import { EXIT, Failure } from '../../appliance/failures.ts';
import { ADAPTERS, adapterEntry, adapterRecords } from '../../platforms/registry.ts';
import { Launch } from '../../launcher/session/launch.ts';
import { loadAppliance } from '../../launcher/appliance-source.ts';
import type { SessionEvent } from '../../launcher/session/events.ts';
import { fixture } from '../support/artifacts.ts';
import { linuxHost, macHost, podman, windowsHost, windowsReady } from '../support/hosts.ts';

// The Linux adapter's own module says when it is imported.
const imported = vi.hoisted(() => [] as string[]);
vi.mock('../../platforms/linux/adapter.ts', async (original) => {
  imported.push('platforms/linux/adapter.ts');
  return original();
});

describe('the registry', () => {
  it('gives each kind of host its way to Linux, with the reason, and the isolation that way has', () => {
    const plans = [linuxHost(podman), windowsReady(), macHost()].map((r) => makePlan(ADAPTERS, r));
    expect(plans.map((p) => [p.platform.adapter, p.isolation.mode])).toEqual([
      ['linux', 'container'],
      ['wsl2', 'vm'],
      ['lima', 'vm'],
    ]);
    expect(plans[0]!.platform.reason).toBe('Linux: rootless Podman runs the appliance directly');
  });

  it("reads each way's prerequisites from the host report: Podman for Linux, WSL and virtualization for Windows, QEMU for QEMU", () => {
    const ids = (id: Parameters<typeof adapterEntry>[0], r: ReturnType<typeof analyzeHost>) =>
      adapterEntry(id)
        .check(r)
        .map((p) => [p.id, p.detail]);
    expect(ids('linux', linuxHost(podman))).toEqual([]);
    expect(ids('linux', linuxHost())).toEqual([['podman', 'Podman is not installed']]);
    expect(ids('wsl2', windowsReady())).toEqual([]);
    expect(ids('wsl2', windowsHost({ systeminfo: fixture('systeminfo', 'en-server2012-virtualbox-guest-no-vmx') }))).toEqual([
      ['wsl', 'wsl.exe is not on this Windows'],
      ['virtualization', "turned off in this computer's firmware"],
    ]);
    expect(ids('qemu', linuxHost(podman))).toEqual([['qemu', 'QEMU is not installed (qemu-system-x86_64 was not found)']]);
    const qemu = { 'qemu-version': fixture('qemu-version', 'x86_64-2-5-0-ubuntu-xenial-oneline') };
    expect(ids('qemu', linuxHost({ ...podman, ...qemu }))).toEqual([]);
  });

  it("the Plan takes a way's own isolation and GPU paths: a virtual machine with no GPU path passes no GPU", () => {
    const withGpu: HostFacts = {
      host: { platform: 'linux', arch: 'x86_64', memBytes: 32 * 1024 ** 3, cpus: 8 },
      gpus: [{ vendor: 'nvidia', usable: true, model: 'nvidia gpu', pciBusId: '0000:01:00.0', uuid: null, deviceNodes: ['/dev/nvidia0'] }],
      gpuDrivers: [{ vendor: 'nvidia', wsl: false, nodes: ['/dev/nvidiactl'], libraries: [], files: [], folders: [], version: null }],
      tools: { bolt: { found: false, version: null } },
    };
    expect(makePlan(ADAPTERS, withGpu, { image: 'fedora', gpu: 'auto' }).gpu.mode).toBe('cdi');
    const inVm = makePlan([adapterEntry('qemu')], withGpu, { image: 'fedora', gpu: 'auto' });
    expect(inVm.platform.adapter).toBe('qemu');
    expect(inVm.isolation.mode).toBe('vm');
    expect(inVm.gpu).toMatchObject({ mode: 'none', cdi: null, reason: 'the qemu way has no path for the GPU into the appliance' });
  });

  it('asks the probe to record what the Linux way learned about Podman', () => {
    expect(adapterRecords().map((r) => r.name)).toEqual(['ai-way-podman-profile']);
    expect(adapterRecords()[0]!.path).toMatch(/ai-way\/podman-profile\.json$/);
  });

  it('imports no adapter for the Plan, the checks or the probe; a launch that needs one imports it', async () => {
    const r = linuxHost(podman);
    makePlan(ADAPTERS, r);
    for (const a of ADAPTERS) [a.check(r), a.probes()];
    expect(imported).toEqual([]);
    expect((await adapterEntry('linux').load()).id).toBe('linux');
    expect(imported).toEqual(['platforms/linux/adapter.ts']);
  });
});

describe('a launch on another host', () => {
  const context = { sessionId: '0123456789ab', host: null, warning: () => undefined };
  it('a launch on Windows plans the WSL2 way; without wsl.exe it fails with the fix (exit 4), having started nothing', async () => {
    const launch = new Launch('selftest', DEFAULT_PLAN_OPTIONS);
    const report = windowsReady();
    const plan = launch.plan(report, await loadAppliance('selftest'));
    expect(plan.platform.adapter).toBe('wsl2');
    const events: SessionEvent[] = [];
    const session = await launch.session(plan, report, (e) => events.push(e));
    const error = await session.boot().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'prerequisite',
      exitCode: EXIT.prerequisiteMissing,
      message: 'WSL (the Windows Subsystem for Linux) is not installed (wsl.exe was not found)',
      fix: expect.stringContaining('wsl --install --no-distribution'),
    });
    await session.wipe('no wsl.exe');
    expect(events.map((e) => (e.type === 'progress' ? e.stage : e.type))).toEqual(['preparing', 'wiping', 'wiped']);
    expect(session.logTail(5)).toBe('');
  });

  it("a launch whose way lacks its prerequisites says what is missing first (exit 4), with the doctor's fix", async () => {
    const launch = new Launch('selftest', DEFAULT_PLAN_OPTIONS);
    const noWsl = windowsHost({ systeminfo: fixture('systeminfo', 'en-hyperv-section-hypervisor-detected') });
    const spec = await loadAppliance('selftest');
    expect(() => launch.plan(noWsl, spec)).toThrow(
      expect.objectContaining({
        code: 'prerequisite',
        exitCode: EXIT.prerequisiteMissing,
        message: 'wsl.exe is not on this Windows',
        fix: 'ai-way needs Windows 10 version 2004 or later, or Windows 11, with updates installed.',
      }),
    );
  });
});
