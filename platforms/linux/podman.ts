// Native rootless Podman: the image, this host's quirks (learned once by a canary), the
// container of a session, and the reaping of sessions a crash left behind.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../host/probe.ts';
import { EMBEDDED_ROOT, readCarried } from '../embedded.ts';
import { profilePath } from './profile-path.ts';
import { decodeText } from '../host/text.ts';
import { unpackTar } from '../host/tar.ts';
import { LAUNCHER_PID_LABEL, LAUNCHER_START_LABEL, ROOTFUL_USERNS, SESSION_LABEL, type PodmanProfile } from '../../appliance/engines/podman.ts';
import { processStartTime, stillRunning } from './process-identity.ts';
import type { ImageSource } from '../../appliance/manifest.ts';

export class PodmanError extends Error {
  constructor(message: string, readonly detail: string = '') {
    super(message);
  }
}

const env = () => ({ ...process.env, LC_ALL: 'C' });

async function podman(args: string[], timeoutMs = 30_000) {
  const r = await runCommand({ name: 'podman', argv: ['podman', ...args], timeoutMs }, env());
  if (r === null) throw new PodmanError('Podman is not installed', 'podman was not found on PATH');
  const text = { out: decodeText(r.out), err: decodeText(r.err), exit: r.exit ?? null, timedOut: r.timeoutMs !== undefined };
  return { ...text, ok: !text.timedOut && text.exit === 0 };
}

const lastLines = (s: string, n = 5) => s.split('\n').filter((l) => l.trim() && !/is not a shared mount/.test(l)).slice(-n).join('\n');

/** The image id an OCI archive holds (its config digest), read from the archive itself. */
export function archiveImageId(archive: Uint8Array): string {
  let bytes = archive;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const entries = new Map(unpackTar(bytes).map((e) => [e.path.replace(/^\.\//, ''), e.data]));
  const json = (p: string) => JSON.parse(decodeText(entries.get(p) ?? new Uint8Array()));
  const index = json('index.json');
  const manifest = json(`blobs/sha256/${String(index.manifests?.[0]?.digest).replace('sha256:', '')}`);
  return String(manifest.config.digest).replace('sha256:', '');
}

/** Makes the image available locally and returns what to run. Never pulls: the appliance is air-gapped. */
export async function ensureImage(source: ImageSource): Promise<string> {
  if (source.kind === 'registry') {
    if ((await podman(['image', 'exists', source.ref])).ok) return source.ref;
    throw new PodmanError(`the image ${source.ref} is not on this computer`, 'build or load it first; ai-way never downloads images');
  }
  let id: string;
  let archive: Uint8Array;
  try {
    archive = await readCarried(source.path);
    id = archiveImageId(archive);
  } catch (e) {
    throw new PodmanError(`the appliance image ${source.path} is missing or damaged`, `${(e as Error).message}; run "npm run setup" (or "npm run build") to build it`);
  }
  if ((await podman(['image', 'exists', id])).ok) return id;
  // An image carried inside the executable goes to Podman through a private file, removed at once.
  const carried = source.path.startsWith(`${EMBEDDED_ROOT}/`);
  const dir = carried ? await mkdtemp(path.join(os.tmpdir(), 'ai-way-image-')) : null;
  const file = dir ? path.join(dir, 'image.oci.tar') : source.path;
  try {
    if (dir) await writeFile(file, archive);
    const load = await podman(['load', '--quiet', '-i', file], 120_000);
    if (!load.ok) throw new PodmanError(`Podman could not load ${source.path}`, lastLines(load.err));
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  return id;
}

const GLOBAL_VARIANTS = [[], ['--runtime', 'runc'], ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs']];

function canaryVariants(): PodmanProfile[] {
  const userns = process.getuid?.() === 0 ? ROOTFUL_USERNS : [];
  return GLOBAL_VARIANTS.flatMap((globalArgs) => [false, true].map((nofileUlimit) => ({ globalArgs, nofileUlimit, userns })));
}


/**
 * What this host's Podman needs, found by running a canary (`busybox true` in the appliance image)
 * with each variant until one works, and remembered per Podman version and user.
 */
export async function podmanProfile(image: string, knownVersion?: string | null): Promise<PodmanProfile & { tried: number; cached: boolean }> {
  const version = knownVersion ?? (await podman(['--version'])).out.trim();
  const key = `${version} uid=${process.getuid?.() ?? 'na'} profile=2`;
  try {
    const cached = JSON.parse(await readFile(profilePath(), 'utf8'));
    if (cached.key === key) return { ...cached.profile, tried: 0, cached: true };
  } catch { /* no cache yet */ }
  const failures: string[] = [];
  for (const [i, variant] of canaryVariants().entries()) {
    const r = await podman([...variant.globalArgs, 'run', '--rm', '--pull=never', '--network=none', '--log-driver=none', ...variant.userns,
      ...(variant.nofileUlimit ? ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'] : []),
      '--entrypoint', '/bin/busybox', image, 'true']);
    if (r.ok) {
      await mkdir(path.dirname(profilePath()), { recursive: true });
      await writeFile(profilePath(), JSON.stringify({ key, profile: variant }));
      return { ...variant, tried: i + 1, cached: false };
    }
    failures.push(lastLines(r.err, 1));
  }
  throw new PodmanError('Podman cannot start containers for this user', failures.filter(Boolean).at(-1) ?? 'every canary variant failed');
}

export interface SessionContainer {
  id: string;
  name: string;
  sessionId: string;
  launcherPid: number | null;
  launcherStart: string | null;
}

/** Containers ai-way started (any state). */
export async function listSessionContainers(): Promise<SessionContainer[]> {
  const r = await podman(['ps', '-a', '--filter', `label=${SESSION_LABEL}`, '--format', 'json']);
  if (!r.ok) return [];
  let rows: any[] = [];
  try { rows = JSON.parse(r.out || '[]'); } catch { return []; }
  return rows.map((c) => ({
    id: String(c.Id), name: String(c.Names?.[0] ?? ''), sessionId: String(c.Labels?.[SESSION_LABEL] ?? ''),
    launcherPid: /^\d+$/.test(c.Labels?.[LAUNCHER_PID_LABEL] ?? '') ? Number(c.Labels[LAUNCHER_PID_LABEL]) : null,
    launcherStart: c.Labels?.[LAUNCHER_START_LABEL] === undefined ? null : String(c.Labels[LAUNCHER_START_LABEL]),
  }));
}

export async function removeContainer(nameOrId: string): Promise<boolean> {
  return (await podman(['rm', '--force', '--time', '0', '--ignore', nameOrId])).ok;
}

export async function containerExists(nameOrId: string): Promise<boolean> {
  return (await podman(['container', 'exists', nameOrId])).ok;
}

/** Removes the containers of sessions whose launcher is gone (a crash the dead man's switch missed). */
export async function reapOrphans(): Promise<string[]> {
  const orphans = (await listSessionContainers()).filter((c) => c.launcherPid === null || !stillRunning(c.launcherPid, c.launcherStart));
  await Promise.all(orphans.map((c) => removeContainer(c.id)));
  return orphans.map((c) => c.name);
}

/**
 * Calls `onGone` if the container's monitor (conmon) ends while the container lives on: `podman run`
 * notices only some 20 s later, and the appliance no longer answers meanwhile. The watch ends with
 * the monitor, so a removed container ends it too.
 */
export function watchMonitor(nameOrId: string, onGone: () => void, everyMs = 1000): void {
  void podman(['inspect', '--format', '{{.State.ConmonPid}}', nameOrId]).then((r) => {
    const pid = Number(r.out.trim());
    const start = r.ok && pid > 0 ? processStartTime(pid) : null;
    if (start === null) return;
    const timer = setInterval(() => {
      if (stillRunning(pid, start)) return;
      clearInterval(timer);
      onGone();
    }, everyMs).unref();
  }, () => undefined);
}

/** Starts `<engine> <args>` in its own process group, so a terminal's Ctrl-C reaches only the launcher. */
export function spawnEngine(engine: 'podman' | 'bolt', args: string[]): ChildProcessWithoutNullStreams {
  return spawn(engine, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: env() });
}
