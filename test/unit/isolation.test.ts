// The isolation verdict on real REPORT answers recorded inside containers and VM guests, and on
// each of them with one promise broken.
import { describe, expect, it } from 'vitest';
import { agentReport, RECORDED_ASK } from '../contract/fixtures.ts';
import { verifyIsolation } from '../../appliance/isolation.ts';

const want = { ...RECORDED_ASK, isolation: 'container' as 'container' | 'vm' };
const failed = (r: unknown, w: typeof want = want) =>
  verifyIsolation(r, w)
    .facts.filter((f) => !f.ok)
    .map((f) => f.id);

const CONTAINERS = ['rootless-podman-4-3-1-cgroup-v1', 'rootful-uidmap-podman-4-3-1-cgroup-v1'];
const GUESTS = ['guest-alpine-x86_64-tcg', 'guest-alpine-aarch64-tcg', 'guest-alpine-x86_64-tcg-no-memory-controller'];

describe.each(CONTAINERS)('%s', (name) => {
  const report = agentReport(name);
  const rootless = name.startsWith('rootless');

  it('is proven, and says how each limit is enforced', () => {
    const v = verifyIsolation(report, want);
    expect(v.proven).toBe(true);
    expect(v.limits).toEqual(rootless ? { memory: null, cpu: null, pids: 'rlimit' } : { memory: 'cgroup', cpu: 'cgroup', pids: 'cgroup' });
  });

  it('a CPU limit is ticked only when a cgroup quota is read back inside', () => {
    const cpu = verifyIsolation(report, want).facts.find((f) => f.id === 'cpu-limit')!;
    expect(cpu).toEqual(
      rootless
        ? { id: 'cpu-limit', ok: true, warning: true, detail: expect.stringMatching(/^processors: not enforced .*max 100000/) }
        : { id: 'cpu-limit', ok: true, detail: 'processors: at most 1 for the whole appliance (cgroup)' },
    );
    const tooMuch = structuredClone(report);
    tooMuch.cgroup.cpuMax = '400000 100000';
    expect(verifyIsolation(tooMuch, want).facts.find((f) => f.id === 'cpu-limit')).toMatchObject({ warning: true });
  });

  it('never presents an rlimit as a memory limit: without a cgroup, memory is "not enforced", a warning', () => {
    const memory = verifyIsolation(report, want).facts.find((f) => f.id === 'memory-limit')!;
    expect(memory.warning).toBe(rootless ? true : undefined);
    expect(memory.detail).toMatch(rootless ? /^memory: not enforced .*shared memory \(32 MiB\)/ : /cgroup/);
    expect(memory.detail).not.toMatch(/data per process|rlimit/);
  });

  it('an appliance that asked for exec keeps it without failing', () => {
    expect(failed(report, { ...want, workspaceExec: true })).toEqual([]);
  });
});

/** A report's field (a dotted path) changed as a broken promise would change it. */
const edit =
  (at: string, change: (v: any) => unknown) =>
  (r: any): void => {
    const keys = at.split('.');
    const last = keys.pop()!;
    const holder = keys.reduce((o, k) => o[k], r);
    holder[last] = change(holder[last]);
  };
const set = (at: string, value: unknown) => edit(at, () => value);

/** Each promise, broken one way at a time: the fact it breaks, and the changes that break it. */
const BROKEN: [string, ((r: any) => void)[]][] = [
  ['network', [set('interfaces', ['lo', 'eth0'])]],
  ['outbound', [set('outbound.connected', true)]],
  ['read-only-root', [set('rootReadOnly', false)]],
  ['workspace', [edit('workspace.options', (o) => o.replace(',noexec', ''))]],
  ['workspace', [set('workspace.fstype', 'overlay')]],
  ['workspace', [set('workspace.sizeBytes', 2 * 64 * 1048576)]],
  ['shared-memory', [set('shm.sizeBytes', 64 * 1048576)]],
  ['shared-memory', [edit('shm.options', (o) => o.replace(',nodev', ''))]],
  ['capabilities', [set('capEff', '00000000a80425fb')]],
  ['capabilities', [set('capBnd', '000001ffffffffff')]],
  ['capabilities', [set('capAmb', null)]],
  ['no-new-privileges', [set('noNewPrivs', 0)]],
  ['seccomp', [set('seccomp', 0)]],
  ['seccomp', [set('denied.userNamespace', 'allowed')]],
  ['seccomp', [set('denied.vsock', 'allowed')]],
  ['seccomp', [set('denied.vsock', null)]],
  ['user-namespace', [set('uidMap', [[0, 0, 4294967295]])]],
  ['user-namespace', [set('uidMap', [[1000, 1000, 2]])]],
  ['user-namespace', [set('gidMap', [[0, 1000, 1001]])]],
  ['user-namespace', [set('setgroups', 'allow')]],
  ['user-namespace', [set('uidMap', null)]],
  ['apart-from-agent', [set('processes', [1, 2, 7])]],
  ['apart-from-agent', [set('descriptors', [0, 1, 2, 3])]],
  ['apart-from-agent', [set('supervisor.uid', 1000)]],
  ['apart-from-agent', [set('supervisor.environ', null)]],
  ['apart-from-agent', [set('uid', 0), set('uidMap', [[0, 1000, 1]])]],
  ['pids-limit', [set('cgroup.pidsMax', null), set('rlimits.nproc', [4096, 4096])]],
  ['read-only-mounts', [edit('writableMounts', (w) => [...w, '/usr/lib/ai-way-gpu/libcuda.so.1'])]],
  ['read-only-mounts', [set('writableMounts', null)]],
  ['gpu-devices', [set('devices', ['/dev/nvidia0'])]],
];

describe.each([...CONTAINERS.map((n) => [n, 'container'] as const), ...GUESTS.map((n) => [n, 'vm'] as const)])(
  '%s judged for isolation "%s"',
  (name, isolation) => {
    const report = agentReport(name);

    it.each(BROKEN)('a broken %s promise is caught', (id, changes) => {
      const r = structuredClone(report);
      for (const change of changes) change(r);
      expect(failed(r, { ...want, isolation })).toEqual([id]);
    });
  },
);

describe.each(CONTAINERS)("beneath the app, the engine's user namespace of %s", (name) => {
  const report = agentReport(name);

  it.each([
    ["maps its ids to the host's own, root too", [[0, 0, 4294967295]]],
    ["leaves the app's id unmapped", [[0, 100000, 1000]]],
    ['could not be read', null],
  ])('%s: the user namespace is not proven', (_what, agentUidMap) => {
    expect(failed({ ...report, agentUidMap })).toEqual(['user-namespace']);
  });

  it("says where the app's id ends up on the host", () => {
    const users = verifyIsolation(report, want).facts.find((f) => f.id === 'user-namespace')!;
    expect(users.detail).toMatch(/^the app's user 1000 is id \d+ outside its user namespaces: it is alone in a user namespace of its own/);
  });
});

describe('a report that is not what the protocol describes', () => {
  const report = agentReport('rootless-podman-4-3-1-cgroup-v1');

  it.each([
    [
      'a string where a number belongs',
      (r: any) => {
        r.uid = '31337';
      },
      /uid/,
    ],
    [
      'an object where a list belongs',
      (r: any) => {
        r.interfaces = { lo: true };
      },
      /interfaces/,
    ],
    [
      'a missing fact',
      (r: any) => {
        delete r.denied;
      },
      /denied/,
    ],
    ['not an object at all', () => 'proven', /the report/],
  ] as const)('%s proves nothing, and says where', (_what, breakIt, where) => {
    let r: any = structuredClone(report);
    r = breakIt(r) ?? r;
    const v = verifyIsolation(r, want);
    expect(v.proven).toBe(false);
    expect(v.facts).toEqual([{ id: 'report', ok: false, detail: expect.stringMatching(/^the isolation report is malformed/) }]);
    expect(v.facts[0]!.detail).toMatch(where);
  });

  it('a sandbox that could not be built proves nothing, and the reason is passed on', () => {
    const v = verifyIsolation(
      { type: 'report', error: "the app's sandbox could not be built: a PID namespace of the app's own: Operation not permitted" },
      want,
    );
    expect(v).toMatchObject({ proven: false, facts: [{ id: 'report', ok: false, detail: expect.stringContaining('PID namespace') }] });
  });
});
