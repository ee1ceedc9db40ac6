// Judges the isolation facts the agent read inside the appliance against what the Plan asked for.
// A session is called ready only when every fact holds: flags prove nothing until read back.
import type { IsolationReport } from './agent-protocol.ts';

export interface IsolationExpectation {
  workspaceBytes: number;
  workspaceExec: boolean;
  memBytes: number;
  pids: number;
  /** The GPU device nodes passed in; the appliance must see exactly these. */
  gpuNodes: readonly string[];
}

/** Memory-only mounts a container engine makes writable besides the workspace. */
const ENGINE_SCRATCH = ['/dev', '/dev/shm', '/sys/fs/cgroup'];

export interface IsolationFact {
  id: 'network' | 'outbound' | 'read-only-root' | 'read-only-mounts' | 'workspace' | 'capabilities' | 'no-new-privileges' | 'seccomp' | 'user-namespace'
    | 'memory-limit' | 'pids-limit' | 'gpu-devices';
  ok: boolean;
  detail: string;
}

export interface IsolationVerdict {
  proven: boolean;
  facts: IsolationFact[];
  /** How each limit is enforced: a cgroup for the whole appliance, or an rlimit per process. */
  limits: { memory: 'cgroup' | 'rlimit' | null; pids: 'cgroup' | 'rlimit' | null };
}

const numeric = (v: string | null | undefined): number | null => (v != null && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null);

export function verifyIsolation(r: IsolationReport, want: IsolationExpectation): IsolationVerdict {
  const facts: IsolationFact[] = [];
  const fact = (id: IsolationFact['id'], ok: boolean, detail: string) => facts.push({ id, ok, detail });

  const ifaces = r.interfaces ?? [];
  fact('network', ifaces.length > 0 && ifaces.every((i) => i === 'lo'), `network interfaces: ${ifaces.join(', ') || 'none'}`);
  fact('outbound', r.outbound?.connected === false,
    r.outbound?.connected === false ? `outbound connections fail (${r.outbound.attempts.map((x) => `${x.to}: ${x.error}`).join('; ')})` : 'an outbound connection succeeded');
  fact('read-only-root', r.rootReadOnly === true, r.rootReadOnly ? 'the root filesystem is read-only' : 'the root filesystem is writable');

  const writable = r.writableMounts ?? null;
  const unexpected = (writable ?? []).filter((m) => m !== (r.workspace?.path ?? '/workspace') && !ENGINE_SCRATCH.includes(m));
  fact('read-only-mounts', writable !== null && unexpected.length === 0,
    writable === null ? 'the mounts could not be read' : unexpected.length ? `writable mounts besides the workspace: ${unexpected.join(', ')}`
      : 'every mount but the workspace and the engine\'s memory-only scratch is read-only');

  const opts = (r.workspace?.options ?? '').split(',');
  const needed = ['nodev', 'nosuid', ...(want.workspaceExec ? [] : ['noexec'])];
  const missing = needed.filter((o) => !opts.includes(o));
  const size = r.workspace?.sizeBytes ?? null;
  const sizeOk = size !== null && size <= want.workspaceBytes + 4096; // tmpfs rounds up to a page
  fact('workspace', r.workspace?.fstype === 'tmpfs' && missing.length === 0 && sizeOk,
    r.workspace?.fstype !== 'tmpfs' ? `${r.workspace?.path ?? '/workspace'} is ${r.workspace?.fstype ?? 'not mounted'}, not memory-only (tmpfs)`
      : missing.length ? `the workspace lacks ${missing.join(', ')}`
      : !sizeOk ? `the workspace is ${size ?? 'unknown'} bytes, more than the ${want.workspaceBytes} asked for`
      : `the workspace is tmpfs (${needed.join(', ')}), ${size} bytes`);

  fact('capabilities', /^0+$/.test(r.capEff ?? ''), `effective capabilities: ${r.capEff ?? 'unknown'}`);
  fact('no-new-privileges', r.noNewPrivs === 1, `no_new_privs: ${r.noNewPrivs ?? 'unknown'}`);
  fact('seccomp', r.seccomp === 2, r.seccomp === 2 ? 'a seccomp filter is active' : `seccomp mode ${r.seccomp ?? 'unknown'}`);

  const rootRow = (r.uidMap ?? []).find(([inside]) => inside === 0);
  fact('user-namespace', rootRow !== undefined && rootRow[1] !== 0,
    rootRow ? `the appliance's root is host user ${rootRow[1]}` : 'the appliance\'s root has no host user mapping');

  const limit = (id: 'memory-limit' | 'pids-limit', cgroupValue: string | null, rlimit: [number, number] | undefined, wanted: number,
    what: { cgroup: string; rlimit: string; none: string }) => {
    const cg = numeric(cgroupValue);
    if (cg !== null && cg <= wanted) { fact(id, true, `${what.cgroup.replace('N', String(cg))} (cgroup)`); return 'cgroup' as const; }
    if (rlimit && rlimit[0] >= 0 && rlimit[0] <= wanted) { fact(id, true, `${what.rlimit.replace('N', String(rlimit[0]))} (rlimit: this host gives no cgroup limit)`); return 'rlimit' as const; }
    fact(id, false, `${what.none} (cgroup: ${cgroupValue ?? 'unreadable'})`);
    return null;
  };
  const memory = limit('memory-limit', r.cgroup?.memoryMax ?? null, r.rlimits?.data, want.memBytes,
    { cgroup: 'memory: N bytes for the whole appliance', rlimit: 'memory: N bytes of data per process', none: 'no memory limit is in force' });
  const pids = limit('pids-limit', r.cgroup?.pidsMax ?? null, r.rlimits?.nproc, want.pids,
    { cgroup: 'processes: at most N', rlimit: 'processes: at most N for the appliance\'s user', none: 'no process limit is in force' });

  const seen = r.devices ?? [];
  const missingGpu = want.gpuNodes.filter((n) => !seen.includes(n));
  const extraGpu = seen.filter((n) => !want.gpuNodes.includes(n));
  fact('gpu-devices', missingGpu.length === 0 && extraGpu.length === 0,
    missingGpu.length ? `GPU device nodes missing inside: ${missingGpu.join(', ')}`
      : extraGpu.length ? `GPU device nodes nobody asked for: ${extraGpu.join(', ')}`
      : seen.length ? `GPU device nodes: ${seen.join(', ')}` : 'no GPU device node (none was passed)');

  return { proven: facts.every((f) => f.ok), facts, limits: { memory, pids } };
}
