// The resource limits a session asked for, judged from what the app reads inside: a cgroup limit is
// ticked only when its value is read back there; one that is not is said as "not enforced", a
// warning, never a tick. Who the cgroup holds differs: a container's is the whole appliance's (the
// engine's), a guest's is the app's own (the agent's, the agent left out).
import type { IsolationReport } from './agent-protocol.ts';

export interface LimitsWanted {
  isolation: 'container' | 'vm';
  memBytes: number;
  cpus: number;
  pids: number;
  workspaceBytes: number;
  shmBytes: number;
}

/** How each limit is enforced: a cgroup, an rlimit on the app's own user, or not at all. */
export interface Limits {
  memory: 'cgroup' | null;
  cpu: 'cgroup' | null;
  pids: 'cgroup' | 'rlimit' | null;
}

export interface LimitFact {
  id: 'memory-limit' | 'cpu-limit' | 'pids-limit';
  ok: boolean;
  warning?: true;
  detail: string;
}

const numeric = (v: string | null | undefined): number | null => (v != null && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null);
const MiB = 1024 * 1024;
const mib = (n: number) => `${Math.round(n / MiB)} MiB`;

export function judgeLimits(r: IsolationReport, want: LimitsWanted): { facts: LimitFact[]; limits: Limits } {
  const vm = want.isolation === 'vm';
  const held = vm ? 'the app (its own cgroup in the guest)' : 'the whole appliance (cgroup)';
  const giver = vm ? 'the guest gives the app' : 'this host gives the appliance';
  // What the app's view shows instead: a controller its cgroup lacks, or the value it reads.
  const unenforced = (controller: string, value: string | null) =>
    r.cgroup.controllers && !r.cgroup.controllers.includes(controller)
      ? `its cgroup has no ${controller} controller`
      : (value ?? 'none readable');
  const facts: LimitFact[] = [];
  const limits: Limits = { memory: null, cpu: null, pids: null };

  const memCgroup = numeric(r.cgroup.memoryMax);
  if (memCgroup !== null && memCgroup <= want.memBytes) {
    limits.memory = 'cgroup';
    facts.push({ id: 'memory-limit', ok: true, detail: `memory: ${memCgroup} bytes for ${held}` });
  } else {
    facts.push({
      id: 'memory-limit',
      ok: true,
      warning: true,
      detail: [
        `memory: not enforced (${giver} no memory cgroup: ${unenforced('memory', r.cgroup.memoryMax)});`,
        `only the workspace (${mib(want.workspaceBytes)}) and shared memory (${mib(want.shmBytes)}) are capped`,
      ].join(' '),
    });
  }

  // "QUOTA PERIOD": the share of one CPU it may use per period, in microseconds
  const [quota, period] = (r.cgroup.cpuMax ?? '').split(' ').map(numeric);
  const cpusAllowed = quota != null && period ? quota / period : null;
  if (cpusAllowed !== null && cpusAllowed <= want.cpus + 0.001) {
    limits.cpu = 'cgroup';
    facts.push({ id: 'cpu-limit', ok: true, detail: `processors: at most ${Number(cpusAllowed.toFixed(2))} for ${held}` });
  } else {
    facts.push({
      id: 'cpu-limit',
      ok: true,
      warning: true,
      detail: `processors: not enforced (${giver} no CPU cgroup: ${unenforced('cpu', r.cgroup.cpuMax)}); it may use every core`,
    });
  }

  const pidsCgroup = numeric(r.cgroup.pidsMax);
  const nproc = r.rlimits.nproc ?? null;
  if (pidsCgroup !== null && pidsCgroup <= want.pids) {
    limits.pids = 'cgroup';
    facts.push({ id: 'pids-limit', ok: true, detail: `processes: at most ${pidsCgroup} for ${held}` });
  } else if (nproc && nproc[0] >= 0 && nproc[0] <= want.pids) {
    limits.pids = 'rlimit';
    facts.push({
      id: 'pids-limit',
      ok: true,
      detail: `processes: at most ${nproc[0]} for the app's user, which exists in this appliance only (rlimit: ${giver} no pids cgroup)`,
    });
  } else {
    facts.push({ id: 'pids-limit', ok: false, detail: `no process limit is in force (cgroup: ${unenforced('pids', r.cgroup.pidsMax)})` });
  }
  return { facts, limits };
}
