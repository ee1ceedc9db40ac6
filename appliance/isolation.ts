// Judges the isolation facts measured inside the app's sandbox against what the Plan asked for.
// A session is called ready only when every fact holds: flags prove nothing until read back, and a
// limit that is not enforced is said as a warning, never ticked.
import { isolationReportSchema, type IsolationReport } from './agent-protocol.ts';

export interface IsolationExpectation {
  workspaceBytes: number;
  workspaceExec: boolean;
  memBytes: number;
  shmBytes: number;
  cpus: number;
  pids: number;
  /** The GPU device nodes passed in; the appliance must see exactly these. */
  gpuNodes: readonly string[];
}

/** The only mounts the app may write to besides the workspace. */
const APP_SCRATCH = ['/dev/shm'];
/** Tmpfs sizes are rounded up to a page. */
const PAGE = 4096;

export interface IsolationFact {
  id:
    | 'report'
    | 'network'
    | 'outbound'
    | 'read-only-root'
    | 'read-only-mounts'
    | 'workspace'
    | 'shared-memory'
    | 'capabilities'
    | 'no-new-privileges'
    | 'seccomp'
    | 'user-namespace'
    | 'apart-from-agent'
    | 'memory-limit'
    | 'cpu-limit'
    | 'pids-limit'
    | 'gpu-devices';
  ok: boolean;
  /** Holds, but only partly: a limit this host cannot enforce. Never counted as proven protection. */
  warning?: true;
  detail: string;
}

export interface IsolationVerdict {
  proven: boolean;
  facts: IsolationFact[];
  /** How each limit is enforced: a cgroup for the whole appliance, an rlimit on the app's own user, or not at all. */
  limits: { memory: 'cgroup' | null; cpu: 'cgroup' | null; pids: 'cgroup' | 'rlimit' | null };
}

const numeric = (v: string | null | undefined): number | null => (v != null && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null);
const MiB = 1024 * 1024;
const mib = (n: number) => `${Math.round(n / MiB)} MiB`;

/** A report the agent could not produce, or one that is not what the protocol describes, proves nothing. */
function unreadable(detail: string): IsolationVerdict {
  return { proven: false, facts: [{ id: 'report', ok: false, detail }], limits: { memory: null, cpu: null, pids: null } };
}

/** Checks the report's shape first: a malformed report is refused with its first problem named. */
export function verifyIsolation(message: unknown, want: IsolationExpectation): IsolationVerdict {
  const error = (message as { error?: unknown } | null)?.error;
  if (typeof error === 'string') return unreadable(error);
  const parsed = isolationReportSchema.safeParse(message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return unreadable(`the isolation report is malformed (${issue.path.join('.') || 'the report'}: ${issue.message})`);
  }
  return judge(parsed.data, want);
}

function judge(r: IsolationReport, want: IsolationExpectation): IsolationVerdict {
  const facts: IsolationFact[] = [];
  const fact = (id: IsolationFact['id'], ok: boolean, detail: string) => facts.push({ id, ok, detail });

  const ifaces = r.interfaces ?? [];
  fact(
    'network',
    ifaces.length > 0 && ifaces.every((i) => i === 'lo'),
    `network interfaces: ${ifaces.join(', ') || (r.interfaces ? 'none' : 'unreadable')}`,
  );
  fact(
    'outbound',
    !r.outbound.connected,
    !r.outbound.connected
      ? `outbound connections fail (${r.outbound.attempts.map((x) => `${x.to}: ${x.error}`).join('; ')})`
      : 'an outbound connection succeeded',
  );
  fact('read-only-root', r.rootReadOnly === true, r.rootReadOnly ? 'the root filesystem is read-only' : 'the root filesystem is writable');

  const writable = r.writableMounts;
  const unexpected = (writable ?? []).filter((m) => m !== r.workspace.path && !APP_SCRATCH.includes(m));
  fact(
    'read-only-mounts',
    writable !== null && unexpected.length === 0,
    writable === null
      ? 'the mounts could not be read'
      : unexpected.length
        ? `writable mounts besides the workspace: ${unexpected.join(', ')}`
        : "every mount but the workspace and the app's shared memory is read-only",
  );

  const tmpfs = (m: IsolationReport['workspace'], name: string, needed: string[], maxBytes: number) => {
    const opts = (m.options ?? '').split(',');
    const missing = needed.filter((o) => !opts.includes(o));
    const sizeOk = m.sizeBytes !== null && m.sizeBytes <= maxBytes + PAGE;
    const ok = m.fstype === 'tmpfs' && missing.length === 0 && sizeOk;
    const detail =
      m.fstype !== 'tmpfs'
        ? `${m.path} is ${m.fstype ?? 'not mounted'}, not memory-only (tmpfs)`
        : missing.length
          ? `${name} lacks ${missing.join(', ')}`
          : !sizeOk
            ? `${name} is ${m.sizeBytes ?? 'unknown'} bytes, more than the ${maxBytes} asked for`
            : `${name} is tmpfs (${needed.join(', ')}), ${m.sizeBytes} bytes`;
    return { ok, detail };
  };
  const ws = tmpfs(r.workspace, 'the workspace', ['nodev', 'nosuid', ...(want.workspaceExec ? [] : ['noexec'])], want.workspaceBytes);
  fact('workspace', ws.ok, ws.detail);
  const shm = tmpfs(r.shm, 'shared memory (/dev/shm)', ['nodev', 'nosuid', 'noexec'], want.shmBytes);
  fact('shared-memory', shm.ok, shm.detail);

  const capSets = { capEff: r.capEff, capPrm: r.capPrm, capInh: r.capInh, capBnd: r.capBnd, capAmb: r.capAmb };
  const held = Object.entries(capSets).filter(([, v]) => !/^0+$/.test(v ?? ''));
  fact(
    'capabilities',
    held.length === 0,
    held.length
      ? `capabilities held: ${held.map(([k, v]) => `${k.slice(3).toLowerCase()} ${v ?? 'unreadable'}`).join(', ')}`
      : 'no capabilities in any set (effective, permitted, inheritable, bounding, ambient)',
  );
  fact('no-new-privileges', r.noNewPrivs === 1, `no_new_privs: ${r.noNewPrivs ?? 'unknown'}`);

  const refused = (v: string | null) => v !== null && v !== 'allowed';
  const { userNamespace, vsock } = r.denied;
  fact(
    'seccomp',
    r.seccomp === 2 && refused(userNamespace) && refused(vsock),
    r.seccomp !== 2
      ? `seccomp mode ${r.seccomp ?? 'unknown'}`
      : [
          `a seccomp filter is active: a user namespace is refused (${userNamespace ?? 'not tried'}),`,
          `an AF_VSOCK socket is refused (${vsock ?? 'not tried'})`,
        ].join(' '),
  );

  // Rows are [inside, outside, count]; "outside" is the engine's namespace (the host for rootful Podman).
  const outside = (id: number) => (r.uidMap ?? []).find(([inside, , n]) => id >= inside && id < inside + n);
  const appRow = outside(r.uid);
  const mapsOutsideRoot = (r.uidMap ?? []).some(([, out]) => out === 0);
  const appOutside = appRow ? appRow[1] + (r.uid - appRow[0]) : null;
  fact(
    'user-namespace',
    appRow !== undefined && !mapsOutsideRoot,
    !appRow
      ? `the app's user ${r.uid} has no mapping outside`
      : mapsOutsideRoot
        ? 'a user inside is the root user outside'
        : [
            `the app's user ${r.uid} is id ${appOutside} outside its user namespace`,
            `(a range of ${appRow[2]} ids of this appliance's own); no id inside is root outside`,
          ].join(' '),
  );

  const seen = r.processes ?? [];
  const strangers = seen.filter((p) => p !== 1 && p !== 2);
  const fds = r.descriptors ?? [];
  const apartProblems = [
    r.processes === null
      ? 'its processes could not be listed'
      : strangers.length
        ? `it sees other processes (${strangers.join(', ')})`
        : '',
    r.descriptors === null
      ? 'its descriptors could not be listed'
      : fds.join(',') !== '0,1,2'
        ? `it starts with descriptors ${fds.join(', ')}, not only its stdio`
        : '',
    r.supervisor.uid === null
      ? "the supervisor's user could not be read"
      : r.supervisor.uid === r.uid || r.uid === 0
        ? `it runs as the agent's user (${r.uid})`
        : '',
    r.supervisor.environ === null ? "it could read the supervisor's environment" : '',
  ].filter(Boolean);
  fact(
    'apart-from-agent',
    apartProblems.length === 0,
    apartProblems.length
      ? `the app is not apart from the agent: ${apartProblems.join('; ')}`
      : [
          `the app runs as its own user (${r.uid}, the agent ${r.supervisor.uid})`,
          `in its own process namespace (it sees ${seen.join(' and ')}), with only its stdio,`,
          `and cannot read the supervisor (${r.supervisor.environ})`,
        ].join(' '),
  );

  const memCgroup = numeric(r.cgroup.memoryMax);
  let memory: IsolationVerdict['limits']['memory'] = null;
  if (memCgroup !== null && memCgroup <= want.memBytes) {
    memory = 'cgroup';
    fact('memory-limit', true, `memory: ${memCgroup} bytes for the whole appliance (cgroup)`);
  } else {
    facts.push({
      id: 'memory-limit',
      ok: true,
      warning: true,
      detail: [
        `memory: not enforced (this host gives the appliance no memory cgroup: ${r.cgroup.memoryMax ?? 'none readable'});`,
        `only the workspace (${mib(want.workspaceBytes)}) and shared memory (${mib(want.shmBytes)}) are capped`,
      ].join(' '),
    });
  }

  // "QUOTA PERIOD": the share of one CPU the appliance may use per period, in microseconds
  const [quota, period] = (r.cgroup.cpuMax ?? '').split(' ').map(numeric);
  const cpusAllowed = quota != null && period ? quota / period : null;
  let cpu: IsolationVerdict['limits']['cpu'] = null;
  if (cpusAllowed !== null && cpusAllowed <= want.cpus + 0.001) {
    cpu = 'cgroup';
    fact('cpu-limit', true, `processors: at most ${Number(cpusAllowed.toFixed(2))} (cgroup)`);
  } else {
    facts.push({
      id: 'cpu-limit',
      ok: true,
      warning: true,
      detail: [
        `processors: not enforced (this host gives the appliance no CPU cgroup: ${r.cgroup.cpuMax ?? 'none readable'});`,
        'it may use every core',
      ].join(' '),
    });
  }

  const pidsCgroup = numeric(r.cgroup.pidsMax);
  const nproc = r.rlimits.nproc ?? null;
  let pids: IsolationVerdict['limits']['pids'] = null;
  if (pidsCgroup !== null && pidsCgroup <= want.pids) {
    pids = 'cgroup';
    fact('pids-limit', true, `processes: at most ${pidsCgroup} (cgroup)`);
  } else if (nproc && nproc[0] >= 0 && nproc[0] <= want.pids) {
    pids = 'rlimit';
    fact(
      'pids-limit',
      true,
      `processes: at most ${nproc[0]} for the app's user, which exists in this appliance only (rlimit: this host gives no pids cgroup)`,
    );
  } else {
    fact('pids-limit', false, `no process limit is in force (cgroup: ${r.cgroup.pidsMax ?? 'unreadable'})`);
  }

  const nodes = r.devices;
  const missingGpu = want.gpuNodes.filter((n) => !nodes.includes(n));
  const extraGpu = nodes.filter((n) => !want.gpuNodes.includes(n));
  fact(
    'gpu-devices',
    missingGpu.length === 0 && extraGpu.length === 0,
    missingGpu.length
      ? `GPU device nodes missing inside: ${missingGpu.join(', ')}`
      : extraGpu.length
        ? `GPU device nodes nobody asked for: ${extraGpu.join(', ')}`
        : nodes.length
          ? `GPU device nodes: ${nodes.join(', ')}`
          : 'no GPU device node (none was passed)',
  );

  return { proven: facts.every((f) => f.ok), facts, limits: { memory, cpu, pids } };
}
