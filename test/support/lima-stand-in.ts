// Sessions through the Lima adapter on this Linux machine, with the stand-in limactl
// (limactl-stand-in.sh): why they cannot run here, the environment that points the adapter at it,
// and the instances a launcher's Lima home holds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { noGuestRoot } from './guest-boot.ts';
import { ROOT } from './rootless.ts';

export const STAND_IN = path.join(ROOT, 'test', 'support', 'limactl-stand-in.sh');

/** Why the stand-in cannot run a guest here, or null: it needs root (namespaces, mounts) and the build's guest root filesystem. */
export function standInUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the stand-in limactl needs root (mount and PID namespaces)';
  if (spawnSync('unshare', ['--version'], { stdio: 'ignore' }).error) return 'unshare (util-linux) is not installed';
  return noGuestRoot('x86_64');
}

/** What the launcher's environment needs to take the stand-in for limactl (read by platforms/lima/limactl.ts only). */
export const standInEnv = (): Record<string, string> => ({ AIWAY_TEST_LIMACTL: STAND_IN });

/** The instances in the Lima home under a launcher's cache folder. */
export function limaInstances(cache: string): string[] {
  const home = path.join(cache, 'ai-way', 'lima');
  return existsSync(home) ? readdirSync(home) : [];
}
