// Builds one guest (a recipe, an architecture, an appliance) into the content-addressed cache
// build/guests/<key>/: the key is the sum of every input (the build's own code, the recipe, the
// init, the pinned upstream root, the agent, the appliance's image and settings, the kernel
// package), so the same inputs are found again and never rebuilt, and the outputs are
// byte-identical whenever they are built (fixed mtimes and owners, entries in byte order, no
// compression).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import type { CarriedFile, CarriedImage } from '../../appliance/guest-images.ts';
import { packTar } from '../../appliance/tar.ts';
import { CHANNEL_PORT, type GuestParts, guestSettings, vmRoot, wslRoot } from './compose.ts';
import { packCpio } from './cpio.ts';
import { DEBIAN_FOLDER, kernelDeb, staticBusybox } from './debian.ts';
import { guestKernel } from './kernel.ts';
import { type GuestArch, ociRootTree } from './oci-tree.ts';
import type { GuestRecipe } from './recipe.ts';
import { type Download, pinnedFile } from './upstream.ts';
import { treeFromTar } from './tree.ts';

export const GUESTS_FOLDER = path.join('build', 'guests');
const INIT = path.join('packaging', 'guest', 'init.sh');
const WSL_START = path.join('packaging', 'guest', 'wsl-start.sh');

export interface GuestBuild {
  repo: string;
  /** The build code's identity (the sum of its bundle): new code, new key. */
  builder: string;
  /** The upstream cache folder. */
  cache: string;
  get?: Download;
  /** Where the outputs go; build/guests under repo unless given. */
  out?: string;
}

export interface ApplianceForGuest {
  name: string;
  /** Its OCI image archive for this architecture. */
  oci: string;
  command: readonly string[];
  workspaceBytes: number;
  workspaceExec: boolean;
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const rel = (repo: string, p: string) => path.relative(repo, p).split(path.sep).join('/');

/** The guest's images (wsl-rootfs, and vm when the kernel package is there), and why a vm was not made. */
export async function buildGuest(
  b: GuestBuild,
  recipe: GuestRecipe,
  arch: GuestArch,
  app: ApplianceForGuest,
): Promise<{ images: CarriedImage[]; skipped: string | null }> {
  const agentFile = path.join(b.repo, 'build', 'native', `ai-way-agent-${arch}`);
  if (!existsSync(agentFile)) throw new Error(`${agentFile} is missing (scripts/build-native.sh)`);
  if (!existsSync(app.oci)) throw new Error(`${app.oci} is missing (the ${app.name} image for ${arch})`);
  const kernel = kernelDeb(b.repo, arch, recipe.vm.kernel);
  const busybox = recipe.busybox === 'busybox-static' ? staticBusybox(b.repo, arch) : null;
  const agent = readFileSync(agentFile);
  const oci = readFileSync(app.oci);
  const pin = recipe.base[arch];
  const init = readFileSync(path.join(b.repo, INIT), 'utf8');
  const wslStart = readFileSync(path.join(b.repo, WSL_START), 'utf8');
  const inputs = {
    builder: b.builder,
    recipe: sha256(recipe.text),
    init: sha256(init),
    wslStart: sha256(wslStart),
    arch,
    base: 'sha512' in pin ? `sha512:${pin.sha512}` : pin.digest,
    agent: sha256(agent),
    appliance: sha256(oci),
    settings: guestSettings(app),
    kernel: kernel ? sha256(readFileSync(kernel)) : null,
    busybox: busybox ? sha256(busybox.data) : null,
  };
  const key = sha256(JSON.stringify(inputs));
  const folder = path.join(b.out ?? path.join(b.repo, GUESTS_FOLDER), key);
  const index = path.join(folder, 'guest.json');
  const kernelMissing = kernel ? null : `no ${arch} ${recipe.vm.kernel} kernel package in ${DEBIAN_FOLDER} (npm run setup), so no vm`;
  // guest.json names the files inside the folder, so the folder reads the same wherever it lies.
  const placed = (images: CarriedImage[]) =>
    images.map((i) => ({ ...i, files: i.files.map((f) => ({ ...f, path: rel(b.repo, path.join(folder, f.path)) })) }));
  if (existsSync(index)) return { images: placed(JSON.parse(readFileSync(index, 'utf8'))), skipped: kernelMissing };

  const base = await pinnedFile(pin, b.cache, b.get);
  if (recipe.busybox === 'busybox-static' && !busybox)
    throw new Error(`no busybox-static package for ${arch} in ${DEBIAN_FOLDER} (npm run setup)`);
  const baseTree = 'digest' in pin ? ociRootTree(base.bytes, arch, pin.what, pin.digest) : treeFromTar(gunzipSync(base.bytes), pin.what);
  const parts: GuestParts = {
    base: baseTree,
    agent,
    busybox: busybox ? busybox.data : 'bin/busybox',
    appliance: { ...app, root: ociRootTree(oci, arch, app.oci) },
  };
  const sources = [
    { what: pin.what, from: 'url' in pin ? pin.url : `${pin.image}@${pin.digest}`, pinned: inputs.base, sha256: sha256(base.bytes) },
    { what: `the ${app.name} appliance's root filesystem`, from: rel(b.repo, app.oci), pinned: null, sha256: inputs.appliance },
    { what: `the ai-way agent (${arch})`, from: rel(b.repo, agentFile), pinned: null, sha256: inputs.agent },
    ...(busybox ? [debSource(busybox.source)] : []),
  ];
  const temp = `${folder}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  const name = `${app.name}-${recipe.flavor}-${arch}`;
  const write = (file: string, role: CarriedFile['role'], bytes: Uint8Array): CarriedFile => {
    writeFileSync(path.join(temp, file), bytes);
    return { role, path: file, bytes: bytes.length, sha256: sha256(bytes) };
  };
  const common = { appliance: app.name, flavor: recipe.flavor, arch };
  const images: CarriedImage[] = [
    { ...common, format: 'wsl-rootfs', files: [write(`${name}.wsl.tar`, 'rootfs', packTar(wslRoot(parts, wslStart)))], sources },
  ];
  if (kernel) {
    const k = guestKernel(kernel, recipe.vm.modules);
    images.push({
      ...common,
      format: 'vm',
      files: [write(`${name}.vmlinuz`, 'kernel', k.image), write(`${name}.initramfs`, 'initramfs', packCpio(vmRoot(parts, init, k)))],
      sources: [...sources, debSource(k.source)],
      boot: { kernelRelease: k.release, channelPort: CHANNEL_PORT, modules: k.modules.map((m) => m.path) },
    });
  }
  writeFileSync(path.join(temp, 'guest.json'), `${JSON.stringify(images, null, 2)}\n`);
  rmSync(folder, { recursive: true, force: true });
  renameSync(temp, folder);
  return { images: placed(images), skipped: kernelMissing };
}

const debSource = (s: { package: string; version: string; file: string; sha256: string }) => ({
  what: `Debian package ${s.package} ${s.version}`,
  from: s.file,
  pinned: null,
  sha256: s.sha256,
});
