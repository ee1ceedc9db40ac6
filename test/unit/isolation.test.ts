// The isolation verdict on real REPORT answers recorded inside containers, and on each of them
// with one promise broken.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../contract/fixtures.ts';
import { verifyIsolation } from '../../appliance/isolation.ts';
import type { IsolationReport } from '../../appliance/agent-protocol.ts';

const load = (name: string): IsolationReport => JSON.parse(readFileSync(path.join(FIXTURES, 'agent-report', `${name}.json`), 'utf8'));
const want = { workspaceBytes: 64 * 1048576, workspaceExec: false, memBytes: 128 * 1048576, pids: 64, gpuNodes: [] as string[] };
const failed = (r: IsolationReport, w = want) => verifyIsolation(r, w).facts.filter((f) => !f.ok).map((f) => f.id);

describe.each(['rootless-podman-4-3-1-cgroup-v1', 'rootful-uidmap-podman-4-3-1-cgroup-v1'])('%s', (name) => {
  const report = load(name);

  it('is proven, and says how each limit is enforced', () => {
    const v = verifyIsolation(report, want);
    expect(v.proven).toBe(true);
    expect(v.limits).toEqual(name.startsWith('rootless') ? { memory: 'rlimit', pids: 'rlimit' } : { memory: 'cgroup', pids: 'cgroup' });
  });

  it.each([
    ['network', (r: any) => { r.interfaces = ['lo', 'eth0']; }],
    ['outbound', (r: any) => { r.outbound.connected = true; }],
    ['read-only-root', (r: any) => { r.rootReadOnly = false; }],
    ['workspace', (r: any) => { r.workspace.options = r.workspace.options.replace(',noexec', ''); }],
    ['workspace', (r: any) => { r.workspace.fstype = 'overlay'; }],
    ['workspace', (r: any) => { r.workspace.sizeBytes = 2 * 64 * 1048576; }],
    ['capabilities', (r: any) => { r.capEff = '00000000a80425fb'; }],
    ['no-new-privileges', (r: any) => { r.noNewPrivs = 0; }],
    ['seccomp', (r: any) => { r.seccomp = 0; }],
    ['user-namespace', (r: any) => { r.uidMap = [[0, 0, 4294967295]]; }],
    ['memory-limit', (r: any) => { r.cgroup.memoryMax = 'max'; r.rlimits.data = [-1, -1]; }],
    ['pids-limit', (r: any) => { r.cgroup.pidsMax = null; r.rlimits.nproc = [4096, 4096]; }],
    ['read-only-mounts', (r: any) => { r.writableMounts = [...r.writableMounts, '/usr/lib/ai-way-gpu/libcuda.so.1']; }],
    ['read-only-mounts', (r: any) => { r.writableMounts = null; }],
    ['gpu-devices', (r: any) => { r.devices = ['/dev/nvidia0']; }],
  ] as const)('a broken %s promise is caught', (id, breakIt) => {
    const r = structuredClone(report);
    breakIt(r);
    expect(failed(r)).toEqual([id]);
  });

  it('an appliance that asked for exec keeps it without failing', () => {
    expect(failed(report, { ...want, workspaceExec: true })).toEqual([]);
  });
});
