// The isolation verdict for a VM guest, on REPORT answers recorded in real guests: the same facts
// as a container's, with the user namespace and the limits judged for what lies beneath the agent
// there (the guest's own kernel, and a cgroup the agent made for the app).
import { describe, expect, it } from 'vitest';
import { agentReport, RECORDED_ASK } from '../contract/fixtures.ts';
import { verifyIsolation } from '../../appliance/isolation.ts';
import type { IsolationReport } from '../../appliance/agent-protocol.ts';

const want = { ...RECORDED_ASK, isolation: 'vm' as 'container' | 'vm' };
const fact = (r: IsolationReport, id: string, w = want) => verifyIsolation(r, w).facts.find((f) => f.id === id)!;

describe.each([
  ['guest-alpine-x86_64-tcg', 'x86_64', '6.1.0-57-cloud-amd64'],
  ['guest-alpine-aarch64-tcg', 'aarch64', '6.1.0-57-cloud-arm64'],
])('%s', (name, arch, kernel) => {
  const report = agentReport(name);

  it("proves the whole isolation, with the same facts as a container's and every limit in the app's own cgroup", () => {
    const v = verifyIsolation(report, want);
    expect(v.proven).toBe(true);
    expect(v.facts.filter((f) => !f.ok || f.warning)).toEqual([]);
    expect(v.facts.map((f) => f.id)).toEqual(verifyIsolation(agentReport('rootless-podman-4-3-1-cgroup-v1'), want).facts.map((f) => f.id));
    expect(v.limits).toEqual({ memory: 'cgroup', cpu: 'cgroup', pids: 'cgroup' });
    expect(fact(report, 'memory-limit').detail).toBe('memory: 134217728 bytes for the app (its own cgroup in the guest)');
    expect(fact(report, 'user-namespace').detail).toBe(
      "the app's user 1000 is alone in a user namespace of its own (only its own ids mapped, setgroups denied), on the guest's own kernel",
    );
  });

  it('names the kernel and architecture the app read, and the accelerator the guest was told', () => {
    expect(verifyIsolation(report, want).machine).toEqual({ kernel, arch, accelerator: 'tcg' });
  });

  it("is no container: judged as one, the guest kernel's own namespace maps root, and the user namespace is not proven", () => {
    expect(fact(report, 'user-namespace', { ...want, isolation: 'container' })).toMatchObject({
      ok: false,
      detail: "a user in the engine's namespace is the root user outside",
    });
  });

  it('a limit read back above what was asked for is not enforced', () => {
    const r = structuredClone(report);
    r.cgroup.memoryMax = String(256 * 1048576);
    r.cgroup.cpuMax = '200000 100000';
    expect(fact(r, 'memory-limit')).toMatchObject({ ok: true, warning: true });
    expect(fact(r, 'cpu-limit')).toMatchObject({ ok: true, warning: true });
  });
});

describe('a guest whose kernel has no memory controller (cgroup_disable=memory)', () => {
  const report = agentReport('guest-alpine-x86_64-tcg-no-memory-controller');

  it('states the memory as not enforced, a warning and no tick, and says why; the other limits hold', () => {
    const v = verifyIsolation(report, want);
    expect(v.proven).toBe(true);
    expect(v.limits).toEqual({ memory: null, cpu: 'cgroup', pids: 'cgroup' });
    expect(fact(report, 'memory-limit')).toEqual({
      id: 'memory-limit',
      ok: true,
      warning: true,
      detail: [
        'memory: not enforced (the guest gives the app no memory cgroup: its cgroup has no memory controller);',
        'only the workspace (64 MiB) and shared memory (32 MiB) are capped',
      ].join(' '),
    });
  });
});

describe("a guest with no cgroup v2 in the app's view", () => {
  const report = agentReport('guest-alpine-x86_64-tcg');
  const none = { ...report, cgroup: { memoryMax: null, pidsMax: null, cpuMax: null, controllers: null } };

  it("states memory and processors as not enforced; processes are still limited by the app's own rlimit", () => {
    const v = verifyIsolation(none, want);
    expect(v.limits).toEqual({ memory: null, cpu: null, pids: 'rlimit' });
    expect(fact(none, 'memory-limit').detail).toMatch(/^memory: not enforced \(the guest gives the app no memory cgroup: none readable\)/);
    expect(fact(none, 'cpu-limit').detail).toMatch(/^processors: not enforced \(the guest gives the app no CPU cgroup: none readable\)/);
  });

  it('fails when nothing limits the processes either', () => {
    const unlimited = { ...none, rlimits: { ...none.rlimits, nproc: [799, 799] as [number, number] } };
    expect(fact(unlimited, 'pids-limit')).toEqual({
      id: 'pids-limit',
      ok: false,
      detail: 'no process limit is in force (cgroup: none readable)',
    });
    expect(verifyIsolation(unlimited, want).proven).toBe(false);
  });
});
