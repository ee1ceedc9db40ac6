// The isolation verdict on real REPORT answers recorded inside containers, and on each of them
// with one promise broken.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../contract/fixtures.ts';
import { verifyIsolation } from '../../appliance/isolation.ts';
import type { IsolationReport } from '../../appliance/agent-protocol.ts';

const load = (name: string): IsolationReport => JSON.parse(readFileSync(path.join(FIXTURES, 'agent-report', `${name}.json`), 'utf8'));
const want = {
  workspaceBytes: 64 * 1048576,
  workspaceExec: false,
  memBytes: 128 * 1048576,
  shmBytes: 32 * 1048576,
  cpus: 1,
  pids: 64,
  gpuNodes: [] as string[],
};
const failed = (r: unknown, w = want) =>
  verifyIsolation(r, w)
    .facts.filter((f) => !f.ok)
    .map((f) => f.id);

describe.each(['rootless-podman-4-3-1-cgroup-v1', 'rootful-uidmap-podman-4-3-1-cgroup-v1'])('%s', (name) => {
  const report = load(name);
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
        : { id: 'cpu-limit', ok: true, detail: 'processors: at most 1 (cgroup)' },
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

  it.each([
    [
      'network',
      (r: any) => {
        r.interfaces = ['lo', 'eth0'];
      },
    ],
    [
      'outbound',
      (r: any) => {
        r.outbound.connected = true;
      },
    ],
    [
      'read-only-root',
      (r: any) => {
        r.rootReadOnly = false;
      },
    ],
    [
      'workspace',
      (r: any) => {
        r.workspace.options = r.workspace.options.replace(',noexec', '');
      },
    ],
    [
      'workspace',
      (r: any) => {
        r.workspace.fstype = 'overlay';
      },
    ],
    [
      'workspace',
      (r: any) => {
        r.workspace.sizeBytes = 2 * 64 * 1048576;
      },
    ],
    [
      'shared-memory',
      (r: any) => {
        r.shm.sizeBytes = 64 * 1048576;
      },
    ],
    [
      'shared-memory',
      (r: any) => {
        r.shm.options = r.shm.options.replace(',nodev', '');
      },
    ],
    [
      'capabilities',
      (r: any) => {
        r.capEff = '00000000a80425fb';
      },
    ],
    [
      'capabilities',
      (r: any) => {
        r.capBnd = '000001ffffffffff';
      },
    ],
    [
      'capabilities',
      (r: any) => {
        r.capAmb = null;
      },
    ],
    [
      'no-new-privileges',
      (r: any) => {
        r.noNewPrivs = 0;
      },
    ],
    [
      'seccomp',
      (r: any) => {
        r.seccomp = 0;
      },
    ],
    [
      'seccomp',
      (r: any) => {
        r.denied.userNamespace = 'allowed';
      },
    ],
    [
      'seccomp',
      (r: any) => {
        r.denied.vsock = 'allowed';
      },
    ],
    [
      'seccomp',
      (r: any) => {
        r.denied.vsock = null;
      },
    ],
    [
      'user-namespace',
      (r: any) => {
        r.uidMap = [[0, 0, 4294967295]];
      },
    ],
    [
      'user-namespace',
      (r: any) => {
        r.uidMap = [[0, 100000, 1000]];
      },
    ],
    [
      'apart-from-agent',
      (r: any) => {
        r.processes = [1, 2, 7];
      },
    ],
    [
      'apart-from-agent',
      (r: any) => {
        r.descriptors = [0, 1, 2, 3];
      },
    ],
    [
      'apart-from-agent',
      (r: any) => {
        r.supervisor.uid = r.uid;
      },
    ],
    [
      'apart-from-agent',
      (r: any) => {
        r.supervisor.environ = null;
      },
    ],
    [
      'apart-from-agent',
      (r: any) => {
        r.uid = 0;
        r.uidMap = [[0, 200000, 2048]];
      },
    ],
    [
      'pids-limit',
      (r: any) => {
        r.cgroup.pidsMax = null;
        r.rlimits.nproc = [4096, 4096];
      },
    ],
    [
      'read-only-mounts',
      (r: any) => {
        r.writableMounts = [...r.writableMounts, '/usr/lib/ai-way-gpu/libcuda.so.1'];
      },
    ],
    [
      'read-only-mounts',
      (r: any) => {
        r.writableMounts = null;
      },
    ],
    [
      'gpu-devices',
      (r: any) => {
        r.devices = ['/dev/nvidia0'];
      },
    ],
  ] as const)('a broken %s promise is caught', (id, breakIt) => {
    const r = structuredClone(report);
    breakIt(r);
    expect(failed(r)).toEqual([id]);
  });

  it('an appliance that asked for exec keeps it without failing', () => {
    expect(failed(report, { ...want, workspaceExec: true })).toEqual([]);
  });
});

describe('a report that is not what the protocol describes', () => {
  const report = load('rootless-podman-4-3-1-cgroup-v1');

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
