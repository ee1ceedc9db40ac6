// Reads what the appliance was given: its device nodes and its cgroup's CPU quota.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { type Backend, backendFor, cpusFromCfs, cpusFromCpuMax, threadsFor } from './backend.ts';

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function wantedBackend(): Backend {
  return backendFor(list('/dev'), list('/dev/dri'));
}

/** The CPUs the cgroup allows (v2 cpu.max, else v1's CFS quota), at most those the process may run on. */
export function allowedThreads(): number {
  const v2 = read('/sys/fs/cgroup/cpu.max');
  const quota = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') ?? read('/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us');
  const period = read('/sys/fs/cgroup/cpu/cpu.cfs_period_us') ?? read('/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us');
  const cgroup = v2 !== null ? cpusFromCpuMax(v2) : quota !== null && period !== null ? cpusFromCfs(quota, period) : null;
  return threadsFor(os.availableParallelism(), cgroup);
}
