// Native rootless Podman: the image, this host's quirks (learned once by a canary), the
// container of a session, and the reaping of sessions a crash left behind.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../host/probe.ts';
import { carriedAsset } from '../embedded.ts';
import { readRegularFile, withRegularFile } from '../bounded-read.ts';
import { sizeText } from '../../appliance/size-text.ts';
import { makeFolders } from '../make-folders.ts';
import { profilePath } from './profile-path.ts';
import { decodeText } from '../host/text.ts';
import { tarItems, type ReadAt, type TarItem } from '../../appliance/tar.ts';
import {
  APPLIANCE_LABEL,
  LAUNCHER_PID_LABEL,
  LAUNCHER_START_LABEL,
  SESSION_LABEL,
  type PodmanProfile,
} from '../../appliance/engines/podman.ts';
import { sessionOf, type LauncherRuns, type SessionFound } from '../sessions.ts';
import { processStartTime, stillRunning } from '../process-identity.ts';
import type { ImageSource } from '../../appliance/manifest.ts';
import { Failure } from '../../appliance/failures.ts';
import { canaryArgs, imageExistsArgs, listSessionsArgs, loadArgs, PODMAN_ENV, removeArgs } from './commands.ts';

const env = () => ({ ...process.env, ...PODMAN_ENV });

async function podman(args: string[], timeoutMs = 30_000) {
  const r = await runCommand({ name: 'podman', argv: ['podman', ...args], timeoutMs }, env());
  if (r === null) throw new Failure('prerequisite', 'Podman is not installed (podman was not found on PATH)');
  const text = { out: decodeText(r.out), err: decodeText(r.err), exit: r.exit ?? null, timedOut: r.timeoutMs !== undefined };
  return { ...text, ok: !text.timedOut && text.exit === 0 };
}

const lastLines = (s: string, n = 5) =>
  s
    .split('\n')
    .filter((l) => l.trim() && !/is not a shared mount/.test(l))
    .slice(-n)
    .join('\n');

/**
 * An image archive may be tens of GiB (a model inside). The launcher never holds it: Podman loads
 * the file, and ai-way reads only its tar headers and two small JSON files. Past this it is not an
 * appliance image.
 */
export const MAX_IMAGE_ARCHIVE_BYTES = 64 * 1024 ** 3;
/** An OCI archive holds a few entries per layer, and images have at most about a hundred layers. */
const MAX_IMAGE_ENTRIES = 4096;
/** index.json and the image manifest; registries refuse manifests over 4 MiB. */
const MAX_IMAGE_METADATA_BYTES = 4 * 1024 * 1024;
/** A profile is one line of JSON that ai-way wrote itself. */
const MAX_PROFILE_BYTES = 64 * 1024;

const SHA256 = /^sha256:([0-9a-f]{64})$/;

/**
 * The image id an OCI archive holds (its config digest), found from the tar's headers, index.json
 * and the image manifest, read in place through `read`: the layers are never read. Throws why the
 * archive cannot be used.
 */
export function archiveImageId(read: ReadAt, size: number): string {
  const magic = read(0, 2);
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    throw new Error('it is compressed (gzip): give the uncompressed OCI archive (.tar), whose layers are compressed already');
  }
  const entries = new Map<string, TarItem>();
  for (const e of tarItems(read, size, MAX_IMAGE_ENTRIES)) {
    if (e.type === '0' || e.type === '\0') entries.set(e.path.replace(/^\.\//, ''), e);
  }
  // biome-ignore lint/suspicious/noExplicitAny: a tool's untyped JSON; each field is checked before use
  const json = (name: string): any => {
    const e = entries.get(name);
    if (!e) throw new Error(`it has no ${name}, so it is not an OCI archive`);
    if (e.size > MAX_IMAGE_METADATA_BYTES) throw new Error(`its ${name} is larger than the ${sizeText(MAX_IMAGE_METADATA_BYTES)} allowed`);
    try {
      return JSON.parse(decodeText(read(e.offset, e.size)));
    } catch {
      throw new Error(`its ${name} is not valid JSON`);
    }
  };
  // A digest becomes an argument of podman: only sha256:<64 hex> is taken.
  const hex = (digest: unknown, what: string) => {
    const m = typeof digest === 'string' ? SHA256.exec(digest) : null;
    if (!m) throw new Error(`its ${what} is not a sha256 digest`);
    return m[1]!;
  };
  const index = json('index.json');
  const manifest = json(`blobs/sha256/${hex(index?.manifests?.[0]?.digest, 'image manifest')}`);
  return hex(manifest?.config?.digest, 'image config');
}

/** Makes the image available locally and returns what to run. Never pulls: the appliance is air-gapped. */
export async function ensureImage(source: ImageSource): Promise<string> {
  if (source.kind === 'registry') {
    if ((await podman(imageExistsArgs(source.ref))).ok) return source.ref;
    throw new Failure('image', `the image ${source.ref} is not on this computer`, {
      fix: 'build or load it first; ai-way never downloads images',
    });
  }
  let id: string;
  let carried: Uint8Array | null;
  try {
    carried = carriedAsset(source.path, MAX_IMAGE_ARCHIVE_BYTES);
    id = carried
      ? archiveImageId((offset, length) => carried!.subarray(offset, offset + length), carried.length)
      : await withRegularFile(source.path, MAX_IMAGE_ARCHIVE_BYTES, (f) => archiveImageId(f.readAt, f.size));
  } catch (e) {
    const why = (e as Error).message;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Failure('image', `the appliance image ${source.path} is missing`, { detail: why });
    }
    // The image a manifest names is not one ai-way can use: bad input, not a failure of Podman.
    const what = why.replace(`${source.path} is `, 'it is ');
    throw new Failure('image-refused', `the appliance image ${source.path} cannot be used: ${what}`);
  }
  if ((await podman(imageExistsArgs(id))).ok) return id;
  // An image carried inside the executable goes to Podman through a private file, removed at once.
  const dir = carried ? await mkdtemp(path.join(os.tmpdir(), 'ai-way-image-')) : null;
  const file = dir ? path.join(dir, 'image.oci.tar') : source.path;
  try {
    if (dir) await writeFile(file, carried!);
    const load = await podman(loadArgs(file), 120_000);
    if (!load.ok) throw new Failure('image', `Podman could not load ${source.path}`, { detail: lastLines(load.err) });
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  return id;
}

const GLOBAL_VARIANTS = [[], ['--runtime', 'runc'], ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs']];

function canaryVariants(): PodmanProfile[] {
  const userns = process.getuid?.() === 0 ? 'rootful' : 'auto';
  return GLOBAL_VARIANTS.flatMap((globalArgs) => [false, true].map((nofileUlimit) => ({ globalArgs, nofileUlimit, userns })));
}

/**
 * What this host's Podman needs, found by running a canary (the image's own agent, `--check`)
 * with each variant until one works, and remembered per Podman version and user.
 */
export async function podmanProfile(
  image: string,
  knownVersion?: string | null,
): Promise<PodmanProfile & { tried: number; cached: boolean }> {
  const version = knownVersion ?? (await podman(['--version'])).out.trim();
  const key = `${version} uid=${process.getuid?.() ?? 'na'} profile=3`;
  try {
    const cached = JSON.parse(decodeText(await readRegularFile(profilePath(), MAX_PROFILE_BYTES)));
    if (cached.key === key) return { ...cached.profile, tried: 0, cached: true };
  } catch {
    /* no cache yet */
  }
  const failures: string[] = [];
  for (const [i, variant] of canaryVariants().entries()) {
    const r = await podman(canaryArgs(variant, image));
    if (r.ok) {
      // A cache that cannot be written (a home under /proc) only costs the canary next time.
      await makeFolders(path.dirname(profilePath()))
        .then(() => writeFile(profilePath(), JSON.stringify({ key, profile: variant })))
        .catch(() => undefined);
      return { ...variant, tried: i + 1, cached: false };
    }
    failures.push(lastLines(r.err, 1));
  }
  const last = failures.filter(Boolean).at(-1) ?? 'every canary variant failed';
  throw new Failure('engine', 'Podman cannot start containers for this user', { detail: last });
}

export interface SessionContainer {
  id: string;
  name: string;
  sessionId: string;
  launcherPid: number | null;
  launcherStart: string | null;
  /** The appliance label; null on containers of versions that did not write it. */
  appliance: string | null;
  /** When Podman made it (ISO 8601), or null. */
  created: string | null;
}

/** Containers ai-way started (any state). */
export async function listSessionContainers(): Promise<SessionContainer[]> {
  const r = await podman(listSessionsArgs());
  if (!r.ok) return [];
  // biome-ignore lint/suspicious/noExplicitAny: a tool's untyped JSON; each field is checked before use
  let rows: any[] = [];
  try {
    rows = JSON.parse(r.out || '[]');
  } catch {
    return [];
  }
  return rows.map((c) => ({
    id: String(c.Id),
    name: String(c.Names?.[0] ?? ''),
    sessionId: String(c.Labels?.[SESSION_LABEL] ?? ''),
    launcherPid: /^\d+$/.test(c.Labels?.[LAUNCHER_PID_LABEL] ?? '') ? Number(c.Labels[LAUNCHER_PID_LABEL]) : null,
    launcherStart: c.Labels?.[LAUNCHER_START_LABEL] === undefined ? null : String(c.Labels[LAUNCHER_START_LABEL]),
    appliance: typeof c.Labels?.[APPLIANCE_LABEL] === 'string' ? c.Labels[APPLIANCE_LABEL] : null,
    created: typeof c.Created === 'number' && c.Created > 0 ? new Date(c.Created * 1000).toISOString() : null,
  }));
}

export async function removeContainer(nameOrId: string): Promise<boolean> {
  return (await podman(removeArgs(nameOrId))).ok;
}

export async function containerExists(nameOrId: string): Promise<boolean> {
  return (await podman(['container', 'exists', nameOrId])).ok;
}

/** The sessions these containers hold. Pure but for `launcherRuns`. */
export const sessionsOfContainers = (containers: readonly SessionContainer[], launcherRuns: LauncherRuns = stillRunning): SessionFound[] =>
  containers.map((c) => sessionOf('linux', c.name, c, { appliance: c.appliance, started: c.created }, launcherRuns));

/** This user's sessions in Podman (rootless Podman is per user; root's is root's). */
export const containerSessions = async (): Promise<SessionFound[]> => sessionsOfContainers(await listSessionContainers());

/** Removes the containers of sessions whose launcher is gone (a crash the dead man's switch missed). */
export async function reapOrphans(): Promise<string[]> {
  const containers = await listSessionContainers();
  const found = sessionsOfContainers(containers);
  const orphans = containers.filter((_, i) => found[i]!.state === 'orphaned');
  await Promise.all(orphans.map((c) => removeContainer(c.id)));
  return orphans.map((c) => c.name);
}

/**
 * Calls `onGone` if the container's monitor (conmon) ends while the container lives on: `podman run`
 * notices only some 20 s later, and the appliance no longer answers meanwhile. The watch ends with
 * the monitor, so a removed container ends it too.
 */
export function watchMonitor(nameOrId: string, onGone: () => void, everyMs = 1000): void {
  void podman(['inspect', '--format', '{{.State.ConmonPid}}', nameOrId]).then(
    (r) => {
      const pid = Number(r.out.trim());
      const start = r.ok && pid > 0 ? processStartTime(pid) : null;
      if (start === null) return;
      const timer = setInterval(() => {
        if (stillRunning(pid, start)) return;
        clearInterval(timer);
        onGone();
      }, everyMs).unref();
    },
    () => undefined,
  );
}

/** Starts `<engine> <args>` in its own process group, so a terminal's Ctrl-C reaches only the launcher. */
export function spawnEngine(engine: 'podman' | 'bolt', args: string[]): ChildProcessWithoutNullStreams {
  return spawn(engine, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: env() });
}
