// The Plan's steps: what each phase of a session will run, as argv arrays with the environment they
// set, made purely from the Plan and the host facts; a Windows host's Plan shows wsl.exe's lines
// wherever it is made, placeholders standing for what only the run knows.
import { describe, expect, it } from 'vitest';
import { makePlan, type Plan } from '../../appliance/plan.ts';
import { STEP_PHASES } from '../../appliance/steps.ts';
import { loadAppliance } from '../../launcher/appliance-source.ts';
import { renderPlan } from '../../launcher/render/plan.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import { linuxHost, podman, windowsReady } from '../support/hosts.ts';

const plain = { bold: (t: string) => t, yellow: (t: string) => t } as never;
const argvs = (p: Plan, phase: (typeof STEP_PHASES)[number]) => p.platform.steps[phase].flatMap((s) => (s.argv ? [s.argv] : []));
const everyArgv = (p: Plan) => STEP_PHASES.flatMap((ph) => argvs(p, ph));

describe("the Plan's steps", async () => {
  const selftest = await loadAppliance('selftest');

  it('on Linux: Podman, with LC_ALL=C, the container named by a placeholder for the session', () => {
    const plan = makePlan(ADAPTERS, linuxHost(podman), { image: 'auto', gpu: 'none' }, selftest);
    const [start] = plan.platform.steps.start;
    expect(start).toMatchObject({ env: { LC_ALL: 'C' } });
    expect(start!.argv!.slice(0, 3)).toEqual(['podman', 'run', '-i']);
    expect(start!.argv).toEqual(expect.arrayContaining(['--name', 'ai-way-<session>', '--network=none', '--', ...selftest.app.command]));
    expect(argvs(plan, 'reap')).toEqual([
      ['podman', 'ps', '-a', '--filter', 'label=ai-way.session', '--format', 'json'],
      ['podman', 'rm', '--force', '--time', '0', '--ignore', '<container>'],
    ]);
  });

  it('on Linux with a model: the start line binds it read-only at /model/model.gguf, as the session does', () => {
    const model = { name: 'tiny', file: '/models/tiny.gguf', sha256: 'a'.repeat(64), bytes: 1 };
    const plan = makePlan(ADAPTERS, linuxHost(podman), { image: 'auto', gpu: 'none' }, selftest, model);
    expect(plan.platform.steps.start[0]!.argv).toEqual(
      expect.arrayContaining(['--volume', '/models/tiny.gguf:/model/model.gguf:ro,nosuid,nodev,noexec']),
    );
  });

  it('in a QEMU virtual machine: no network card, the name reaping knows, the memory waiting for the initramfs', () => {
    const plan = makePlan(ADAPTERS, linuxHost(podman), { image: 'auto', gpu: 'none', platform: 'qemu' }, selftest);
    const vm = plan.platform.steps.start[0]!.argv!;
    expect(vm).toEqual(expect.arrayContaining(['-name', 'ai-way-<session>-<launcher pid>-<launcher start time>', '-nic', 'none']));
    expect(vm[vm.indexOf('-m') + 1]).toMatch(/^<\d+M \+ the initramfs's size>$/);
    expect(vm[vm.indexOf('-kernel') + 1]).toBe('<kernel of the alpine x86_64 guest>');
  });

  it("on Windows: wsl.exe's import, agent and end, each with WSL_UTF8=1, and never --shutdown", () => {
    const plan = makePlan(ADAPTERS, windowsReady(), { image: 'auto', gpu: 'auto' }, selftest);
    const exe = '%ProgramFiles%\\WSL\\wsl.exe'; // the recorded wsl --version says the Store WSL
    const name = 'ai-way-<session>-<launcher pid>-<launcher start time>';
    expect(argvs(plan, 'start')).toEqual([
      [exe, '--import', name, `%LOCALAPPDATA%\\ai-way\\wsl\\${name}`, "<the alpine x86_64 guest's wsl-rootfs tarball>", '--version', '2'],
    ]);
    const agent = argvs(plan, 'channel')[0]!;
    expect(agent.slice(0, 4)).toEqual([exe, '-d', name, '--exec']);
    expect(agent.slice(agent.indexOf('--'))).toEqual(['--', ...selftest.app.command]);
    expect(argvs(plan, 'wipe')).toEqual([
      [exe, '--terminate', name],
      [exe, '--unregister', name],
    ]);
    for (const phase of STEP_PHASES) for (const s of plan.platform.steps[phase]) if (s.argv) expect(s.env).toEqual({ WSL_UTF8: '1' });
    expect(
      everyArgv(plan)
        .flat()
        .filter((w) => /--shutdown|\.wslconfig/.test(w)),
    ).toEqual([]);
  });

  it('are pure: the same host and options give the same steps, which survive JSON', () => {
    for (const host of [linuxHost(podman), windowsReady()]) {
      const [a, b] = [0, 1].map(() => makePlan(ADAPTERS, host, { image: 'auto', gpu: 'auto' }, selftest));
      expect(a).toEqual(b);
      expect(JSON.parse(JSON.stringify(a))).toEqual(a);
      expect(JSON.stringify(a)).not.toMatch(new RegExp(`\\b${process.pid}\\b`));
    }
  });

  it('the plan for a person shows them briefly: one line each, within the width', () => {
    const text = renderPlan(makePlan(ADAPTERS, windowsReady(), { image: 'auto', gpu: 'auto' }, selftest), plain);
    const steps = text.split('\n').filter((l) => / (prepare|start|channel|wipe|reap) /.test(l));
    expect(steps.length).toBeGreaterThanOrEqual(8);
    expect(steps.some((l) => l.includes('--import ai-way-<session>'))).toBe(true);
    expect(Math.max(...steps.map((l) => l.length))).toBeLessThanOrEqual(120);
  });
});
