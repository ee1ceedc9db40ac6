// Which backend to try, and how many threads: from what the appliance was given (device nodes, the
// cgroup's CPU quota), never from what the host has. Pure: the caller reads /dev and /sys.

export type Backend = 'cpu' | 'cuda' | 'vulkan';

/** NVIDIA nodes mean CUDA; a DRI render node (AMD, Intel) means Vulkan; none, the processor. */
export function backendFor(dev: string[], dri: string[]): Backend {
  if (dev.some((n) => /^nvidia(\d+|ctl|-uvm)$/.test(n))) return 'cuda';
  if (dri.some((n) => /^renderD\d+$/.test(n))) return 'vulkan';
  return 'cpu';
}

/** cgroup v2 `cpu.max` ("max 100000" or "150000 100000"): the CPUs it allows, rounded up; null when unlimited or unreadable. */
export function cpusFromCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return null;
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return null;
  return Math.max(1, Math.ceil(q / p));
}

/** cgroup v1: `cpu.cfs_quota_us` (-1 when unlimited) and `cpu.cfs_period_us`. */
export function cpusFromCfs(quota: string, period: string): number | null {
  return cpusFromCpuMax(`${Number(quota) < 0 ? 'max' : quota.trim()} ${period.trim()}`);
}

export function threadsFor(available: number, cgroupCpus: number | null): number {
  return Math.max(1, cgroupCpus === null ? available : Math.min(available, cgroupCpus));
}
