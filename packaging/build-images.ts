// Builds the images a checkout carries (run by scripts/build.mjs): the selftest appliance's image
// archive per architecture, the guests built around it from each recipe (images/<flavor>/), and
// the list of them all, build/images/images.json, that `ai-way images` reads. What cannot be built
// here is skipped with one line that says why: `npm ci` never fails for it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CARRIED_IMAGES_FILE, type CarriedImage, type CarriedImages } from '../appliance/guest-images.ts';
import type { ImageArch, ImageFlavor } from '../appliance/image-policy.ts';
import { parseManifest } from '../appliance/manifest.ts';
import { buildSelftestImage } from './build-selftest-image.ts';
import { buildGuest, GUESTS_FOLDER } from './guest/build-guest.ts';
import { type GuestRecipe, loadRecipe, RECIPES } from './guest/recipe.ts';
import { type Download, upstreamCache } from './guest/upstream.ts';

const ARCHES: readonly ImageArch[] = ['x86_64', 'aarch64'];

export interface ImagesBuild {
  repo: string;
  version: string;
  /** The build code's identity, part of every guest's cache key. */
  builder: string;
  env?: NodeJS.ProcessEnv;
  get?: Download;
}

/** Builds what it can; returns one line per thing skipped. */
export async function buildImages(b: ImagesBuild): Promise<string[]> {
  const notes: string[] = [];
  const selftest = buildSelftestImage(b.repo, b.version);
  notes.push(...selftest.skipped.map((s) => `selftest image skipped: ${s}`));
  const manifestFile = path.join(b.repo, 'images', 'selftest', 'appliance.toml');
  const manifest = parseManifest(readFileSync(manifestFile, 'utf8'), manifestFile);
  const listed = Object.entries(manifest.images).flatMap(([flavor, byArch]) =>
    Object.values(byArch ?? {}).flatMap((s) => (s.kind === 'oci-archive' ? [{ flavor: flavor as ImageFlavor, path: s.path }] : [])),
  );
  const carried: CarriedImages = { images: [], skipped: [] };
  for (const w of selftest.written) {
    const bytes = readFileSync(w.file);
    carried.images.push({
      appliance: manifest.name,
      flavor: (listed.find((l) => l.path === w.file) ?? listed[0])?.flavor ?? 'alpine',
      arch: w.arch,
      format: 'oci',
      files: [{ role: 'image', path: rel(b.repo, w.file), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }],
      sources: w.sources,
    });
  }
  const context = { repo: b.repo, builder: b.builder, cache: upstreamCache(b.repo, b.env), get: b.get };
  for (const flavor of RECIPES) {
    let recipe: GuestRecipe | Error;
    try {
      recipe = loadRecipe(b.repo, flavor);
    } catch (e) {
      recipe = e as Error;
    }
    for (const arch of ARCHES) {
      const skip = (reason: string) => {
        carried.skipped.push({ flavor, arch, reason });
        notes.push(`${flavor} ${arch} guest skipped: ${reason}`);
      };
      if (recipe instanceof Error) {
        skip(recipe.message);
        continue;
      }
      const oci = selftest.written.find((w) => w.arch === arch)?.file;
      if (!oci) {
        skip(`there is no ${manifest.name} image for ${arch}`);
        continue;
      }
      const app = { name: manifest.name, oci, command: manifest.app.command, ...workspace(manifest.workspace) };
      try {
        const built = await buildGuest(context, recipe, arch, app);
        carried.images.push(...built.images);
        if (built.skipped) skip(built.skipped);
      } catch (e) {
        skip((e as Error).message);
      }
    }
  }
  writeIndex(b.repo, carried);
  prune(b.repo, carried.images);
  return notes;
}

const workspace = (w: { sizeBytes: number; exec: boolean }) => ({ workspaceBytes: w.sizeBytes, workspaceExec: w.exec });
const rel = (repo: string, p: string) => path.relative(repo, p).split(path.sep).join('/');

function writeIndex(repo: string, carried: CarriedImages): void {
  const file = path.join(repo, CARRIED_IMAGES_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(carried, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Removes the guests no longer listed (each a folder build/guests/<key>): the cache keeps what this build carries. */
function prune(repo: string, images: CarriedImage[]): void {
  const folder = path.join(repo, GUESTS_FOLDER);
  if (!existsSync(folder)) return;
  const keep = new Set(images.flatMap((i) => i.files.map((f) => path.basename(path.dirname(path.join(repo, f.path))))));
  for (const key of readdirSync(folder)) if (!keep.has(key)) rmSync(path.join(folder, key), { recursive: true, force: true });
}
