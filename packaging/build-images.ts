// Builds the images a checkout carries (run by scripts/build.mjs): the selftest and ai-way appliances'
// image archives per architecture, the guests built around it from each recipe (images/<flavor>/), and
// the list of them all, build/images/images.json, that `ai-way images` reads. What cannot be built
// here is skipped with one line that says why: `npm ci` never fails for it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CARRIED_IMAGES_FILE, type CarriedImage, type CarriedImages } from '../appliance/guest-images.ts';
import type { ImageArch, ImageFlavor } from '../appliance/image-policy.ts';
import { parseManifest } from '../appliance/manifest.ts';
import { buildAiWayImages } from './ai-way/build-ai-way-image.ts';
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
  const manifest = loadManifest(b.repo, 'selftest');
  const carried: CarriedImages = { images: ociImages(b.repo, manifest, selftest.written), skipped: [] };
  const aiWay = await buildAiWayImages(b);
  notes.push(...aiWay.skipped);
  carried.images.push(...ociImages(b.repo, loadManifest(b.repo, 'ai-way'), aiWay.written));
  const context = { repo: b.repo, builder: b.builder, cache: upstreamCache(b.repo, b.env), get: b.get };
  // Each appliance gets its guests; ai-way's initramfs holds its whole root (Node, llama.cpp), so it is
  // the larger by far. An appliance whose image was not built has no guest, said once.
  const appliances = [
    { manifest, written: selftest.written },
    { manifest: loadManifest(b.repo, 'ai-way'), written: aiWay.written },
  ];
  for (const { manifest: m, written } of appliances) {
    if (written.length === 0 && m.name !== manifest.name) {
      notes.push(`${m.name} guests skipped: the ${m.name} image was not built`);
      continue;
    }
    await buildGuests(context, m, written, carried, notes);
  }
  writeIndex(b.repo, carried);
  prune(b.repo, carried.images);
  return notes;
}

type Manifest = ReturnType<typeof parseManifest>;

/** One appliance's guests, each recipe and architecture; what cannot be made is a line in `notes`. */
async function buildGuests(
  context: Parameters<typeof buildGuest>[0],
  manifest: Manifest,
  written: { arch: ImageArch; file: string }[],
  carried: CarriedImages,
  notes: string[],
): Promise<void> {
  for (const flavor of RECIPES) {
    let recipe: GuestRecipe | Error;
    try {
      recipe = loadRecipe(context.repo, flavor);
    } catch (e) {
      recipe = e as Error;
    }
    for (const arch of ARCHES) {
      const skip = (reason: string) => {
        // The list names a flavour and arch once: the same reason for two appliances is one line.
        if (!carried.skipped.some((k) => k.flavor === flavor && k.arch === arch && k.reason === reason))
          carried.skipped.push({ flavor, arch, reason });
        notes.push(`${manifest.name} ${flavor} ${arch} guest skipped: ${reason}`);
      };
      if (recipe instanceof Error) {
        skip(recipe.message);
        continue;
      }
      const oci = written.find((w) => w.arch === arch)?.file;
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
}

function loadManifest(repo: string, name: string) {
  const file = path.join(repo, 'images', name, 'appliance.toml');
  return parseManifest(readFileSync(file, 'utf8'), file);
}

/** The appliance's image archives as the list carries them, under the flavour whose key names each in its manifest. */
function ociImages(
  repo: string,
  manifest: ReturnType<typeof parseManifest>,
  written: { arch: ImageArch; file: string; sources: CarriedImage['sources'] }[],
): CarriedImage[] {
  const listed = Object.entries(manifest.images).flatMap(([flavor, byArch]) =>
    Object.values(byArch ?? {}).flatMap((s) => (s.kind === 'oci-archive' ? [{ flavor: flavor as ImageFlavor, path: s.path }] : [])),
  );
  return written.map((w) => {
    const bytes = readFileSync(w.file);
    return {
      appliance: manifest.name,
      flavor: (listed.find((l) => l.path === w.file) ?? listed[0])?.flavor ?? 'alpine',
      arch: w.arch,
      format: 'oci' as const,
      files: [{ role: 'image' as const, path: rel(repo, w.file), bytes: bytes.length, sha256: sha256(bytes) }],
      sources: w.sources,
    };
  });
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
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
