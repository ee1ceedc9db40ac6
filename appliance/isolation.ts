// Judges the isolation facts measured inside the app's sandbox against what the Plan asked for.
// A session is called ready only when every fact holds: flags prove nothing until read back, and a
// limit that is not enforced is said as a warning, never ticked. A container and a VM guest are
// judged by the same facts; what differs is what lies beneath the agent: an engine's user namespace
// on the host's kernel, or a guest's own kernel.
import { isolationReportSchema, type IsolationReport } from './agent-protocol.ts';
import { judgeLimits, type Limits, type LimitsWanted } from './isolation-limits.ts';
import { MODEL_MOUNT } from './plan-model.ts';

export interface IsolationExpectation extends LimitsWanted {
  /** container: on the host's kernel, under an engine; vm: in a guest of its own, the agent's sandbox alone. */
  isolation: 'container' | 'vm';
  workspaceExec: boolean;
  /** The GPU device nodes passed in; the appliance must see exactly these. */
  gpuNodes: readonly string[];
  /** A model was passed: it must be a read-only mount of its own at MODEL_MOUNT. */
  model?: boolean;
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
    | 'gpu-devices'
    | 'model';
  ok: boolean;
  /** Holds, but only partly: a limit this host cannot enforce. Never counted as proven protection. */
  warning?: true;
  detail: string;
}

export interface IsolationVerdict {
  proven: boolean;
  facts: IsolationFact[];
  /** How each limit is enforced: a cgroup (the appliance's, or in a guest the app's), an rlimit on the app's own user, or not at all. */
  limits: Limits;
  /** The kernel and architecture the app runs on, read inside; the accelerator as the launcher told the guest (null: not told). */
  machine: { kernel: string | null; arch: string | null; accelerator: string | null };
}

// The mount's own options come first in the report, "ro" or "rw"; its super block's may add an "rw" after them.
function modelMount(m: IsolationReport['model'] | null): [boolean, string] {
  if (!m) return [false, `the model is not at ${MODEL_MOUNT} inside`];
  const opts = (m.options ?? '').split(',');
  const missing = ['nodev', 'nosuid', 'noexec'].filter((o) => !opts.includes(o));
  if (m.mountPoint !== MODEL_MOUNT)
    return [false, `the model is not a mount of its own (it lies in ${m.mountPoint ?? 'an unknown mount'})`];
  if (opts[0] !== 'ro') return [false, `the model's mount is writable (${m.options ?? 'options unreadable'})`];
  if (missing.length) return [false, `the model's mount lacks ${missing.join(', ')}`];
  return [true, `the model is mounted read-only at ${MODEL_MOUNT} (ro, nodev, nosuid, noexec)`];
}

/** A report the agent could not produce, or one that is not what the protocol describes, proves nothing. */
function unreadable(detail: string): IsolationVerdict {
  return {
    proven: false,
    facts: [{ id: 'report', ok: false, detail }],
    limits: { memory: null, cpu: null, pids: null },
    machine: { kernel: null, arch: null, accelerator: null },
  };
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
  if (want.model) fact('model', ...modelMount(r.model ?? null));

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

  const users = judgeUsers(r, want.isolation);
  fact('user-namespace', users.ok, users.detail);

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

  const judged = judgeLimits(r, want);
  facts.push(...judged.facts);

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

  const machine = { kernel: r.kernel.release, arch: r.kernel.arch, accelerator: r.told.accelerator };
  return { proven: facts.every((f) => f.ok), facts, limits: judged.limits, machine };
}

type IdMap = IsolationReport['uidMap'];
const rows = (m: IdMap) => (m ? m.map((row) => row.join(' ')).join(', ') || 'empty' : 'unreadable');

/**
 * The app's own user namespace maps nothing but its own ids, with setgroups denied: whatever it
 * became there is nobody else outside. Beneath it, in a container, the engine's namespace must map
 * the app's id to one of the appliance's own and no id to the root outside; in a guest the agent's
 * namespace is the guest kernel's own, whose ids mean nothing to the host.
 */
function judgeUsers(r: IsolationReport, isolation: IsolationExpectation['isolation']): { ok: boolean; detail: string } {
  const onlyOwn = (m: IdMap, id: number) => m?.length === 1 && m[0]![0] === id && m[0]![2] === 1;
  if (!onlyOwn(r.uidMap, r.uid) || !onlyOwn(r.gidMap, r.gid) || r.setgroups !== 'deny')
    return {
      ok: false,
      detail: [
        `the app's user namespace maps more than its own ids (uid ${r.uid}: ${rows(r.uidMap)}; gid ${r.gid}: ${rows(r.gidMap)};`,
        `setgroups ${r.setgroups ?? 'unreadable'})`,
      ].join(' '),
    };
  const alone = 'alone in a user namespace of its own (only its own ids mapped, setgroups denied)';
  if (isolation === 'vm') return { ok: true, detail: `the app's user ${r.uid} is ${alone}, on the guest's own kernel` };
  const agentId = r.uidMap![0]![1];
  const row = (r.agentUidMap ?? []).find(([inside, , n]) => agentId >= inside && agentId < inside + n);
  if (!row)
    return { ok: false, detail: `the app's user ${r.uid} has no mapping outside the engine's user namespace (${rows(r.agentUidMap)})` };
  if (r.agentUidMap!.some(([, out]) => out === 0))
    return { ok: false, detail: "a user in the engine's namespace is the root user outside" };
  return {
    ok: true,
    detail: [
      `the app's user ${r.uid} is id ${row[1] + (agentId - row[0])} outside its user namespaces: it is ${alone},`,
      `and the engine's maps a range of ${row[2]} ids of this appliance's own; no id inside is root outside`,
    ].join(' '),
  };
}
