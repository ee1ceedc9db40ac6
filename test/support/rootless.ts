// Runs ai-way the way users run it: as an unprivileged user with rootless Podman. Under root (CI),
// that user is `aiway-test`, made by scripts/setup.sh; otherwise the current user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'ai-way.mjs');
const TEST_USER = 'aiway-test';
const isRoot = process.getuid?.() === 0;

function userHome(): string | null {
  const r = spawnSync('getent', ['passwd', TEST_USER], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split(':')[5] ?? null) : null;
}

/** Why rootless sessions cannot run here, or null when they can. */
export function rootlessUnavailable(): string | null {
  if (spawnSync('podman', ['--version']).error) return 'podman is not installed (npm run setup installs it)';
  if (isRoot && !userHome()) return `user ${TEST_USER} is missing (npm run setup creates it)`;
  if (!existsSync(path.join(ROOT, 'build', 'images', 'selftest-x86_64.oci.tar'))) return 'the selftest image is not built (npm run build)';
  return null;
}

/** argv prefix and environment that run a command as the rootless user. */
export function asUser(argv: string[]): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (!isRoot) return { cmd: argv[0]!, args: argv.slice(1), env: { ...process.env, NO_COLOR: '1' } };
  const home = userHome()!;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, USER: TEST_USER, LANG: 'C.UTF-8', NO_COLOR: '1' };
  return {
    cmd: 'runuser',
    args: ['-u', TEST_USER, '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv],
    env: process.env,
  };
}

let installed: string | null = null;

/**
 * Under root the checkout may sit where the test user cannot read it (a home folder): run a copy of
 * what `npm run build` made, as a user would install it, from a world-readable temporary folder.
 */
function userInstall(): string {
  if (!installed) {
    installed = mkdtempSync(path.join(os.tmpdir(), 'ai-way-install-'));
    chmodSync(installed, 0o755);
    // Guests, the downloads they and the images are built from, and the single executables' inputs
    // are not what a session runs here (they are most of build/).
    const unused = new Set(['guests', 'debian', 'node-cache', 'npm-cache', 'sea', 'ai-way-app'].map((d) => path.join(ROOT, 'build', d)));
    for (const part of ['package.json', 'bin', 'build', 'images'])
      cpSync(path.join(ROOT, part), path.join(installed, part), { recursive: true, filter: (from) => !unused.has(from) });
  }
  return installed;
}

/** A file of the checkout's build as the test user can reach it: under root, its place in that copy. */
export function forTheUser(file: string): string {
  return isRoot ? path.join(userInstall(), path.relative(ROOT, file)) : file;
}

const userBin = (): string => forTheUser(BIN);

export function removeInstall(): void {
  if (installed) rmSync(installed, { recursive: true, force: true });
  installed = null;
}

/** `nodeArgs` go to Node before the program (e.g. --require of a test's stand-in). */
export function aiWayAsUser(args: string[], nodeArgs: string[] = []): ChildProcess {
  const { cmd, args: a, env } = asUser([process.execPath, ...nodeArgs, userBin(), ...args]);
  return spawn(cmd, a, { env, stdio: ['pipe', 'pipe', 'pipe'], cwd: '/' });
}

/** `input`: what podman reads on its stdin (an image for `podman load`). */
export function podmanAsUser(args: string[], input?: Uint8Array): { out: string; err: string; code: number | null } {
  const { cmd, args: a, env } = asUser(['podman', ...args]);
  const r = spawnSync(cmd, a, { env, encoding: 'utf8', cwd: '/', timeout: 60_000, input });
  return { out: r.stdout, err: r.stderr, code: r.status };
}
