// The guest build with its real inputs: Alpine's release files from the upstream cache, Debian's
// cloud kernels, the built agent and selftest image. Same inputs, byte-identical outputs; a second
// build finds the first in the content-addressed cache; what cannot be built is skipped with one
// line, and the build goes on.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { carriedImagesSchema, CARRIED_IMAGES_FILE } from '../../appliance/guest-images.ts';
import type { ImageArch } from '../../appliance/image-policy.ts';
import { buildImages } from '../../packaging/build-images.ts';
import { buildGuest } from '../../packaging/guest/build-guest.ts';
import { DEBIAN_FOLDER, kernelDeb } from '../../packaging/guest/debian.ts';
import { guestKernel } from '../../packaging/guest/kernel.ts';
import { moduleDepends, moduleName } from '../../packaging/guest/kernel-modules.ts';
import { loadRecipe } from '../../packaging/guest/recipe.ts';
import { upstreamCache } from '../../packaging/guest/upstream.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FEDORA_DIGEST = 'sha256:7cdd2b48396929bb8723ea2fa60e03bee39cc22e2a853cbd891587fab4eb1bc9';
const CACHE = upstreamCache(ROOT);
const refuse = () => Promise.reject(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND dl-cdn.alpinelinux.org') }));
const kernelDebOf = (arch: ImageArch) => kernelDeb(ROOT, arch, 'cloud');
const selftest = (arch: ImageArch) => ({
  name: 'selftest',
  oci: path.join(ROOT, 'build', 'images', `selftest-${arch}.oci.tar`),
  command: ['/bin/busybox', 'httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www'],
  workspaceBytes: 64 * 1024 * 1024,
  workspaceExec: false,
});

/** Why a full guest of `arch` cannot be built here, or null. */
function missingInputs(arch: ImageArch): string | null {
  const pin = loadRecipe(ROOT, 'alpine').base[arch];
  if (!existsSync(path.join(CACHE, pin.file))) return `${pin.file} is not in the upstream cache ${CACHE}`;
  if (!kernelDebOf(arch)) return `no ${arch} cloud kernel package in ${DEBIAN_FOLDER} (npm run setup)`;
  if (!existsSync(selftest(arch).oci)) return `${selftest(arch).oci} is not built (npm run build)`;
  return null;
}

for (const arch of ['x86_64', 'aarch64'] as ImageArch[]) {
  const why = missingInputs(arch);
  if (why) console.warn(`SKIPPING the ${arch} guest build: ${why}`);

  describe.skipIf(why)(`the ${arch} guest build`, () => {
    it("loads the kernel's virtio modules after what each depends on", () => {
      const kernel = guestKernel(kernelDebOf(arch)!, ['virtio_pci', 'virtio_console']);
      const names = kernel.modules.map((m) => moduleName(m.path));
      expect([...names].sort()).toEqual([
        'virtio',
        'virtio_console',
        'virtio_pci',
        'virtio_pci_legacy_dev',
        'virtio_pci_modern_dev',
        'virtio_ring',
      ]);
      // Each module's dependencies come before it.
      const late = kernel.modules.flatMap((m, i) => moduleDepends(m.data, m.path).filter((dep) => !(names.indexOf(dep) < i)));
      expect(late).toEqual([]);
      expect(kernel.modules[0]!.path).toMatch(new RegExp(`^lib/modules/${kernel.release}/kernel/`));
      expect(() => guestKernel(kernelDebOf(arch)!, ['no_such_module'])).toThrow(
        'the kernel has no module no_such_module (asked for by the recipe)',
      );
    });

    it('gives byte-identical outputs from the same inputs, and finds them again in its cache', { timeout: 120_000 }, async () => {
      const recipe = loadRecipe(ROOT, 'alpine');
      const build = (out: string) =>
        buildGuest({ repo: ROOT, builder: 'test', cache: CACHE, out, get: refuse }, recipe, arch, selftest(arch));
      const [a, b] = [mkdtempSync(path.join(os.tmpdir(), 'guest-a-')), mkdtempSync(path.join(os.tmpdir(), 'guest-b-'))];
      const first = await build(a);
      const second = await build(b);
      expect(first.images.map((i) => i.format)).toEqual(['wsl-rootfs', 'vm']);
      const [key] = readdirSync(a);
      expect(readdirSync(b)).toEqual([key]);
      for (const name of readdirSync(path.join(a, key!)))
        expect([name, readFileSync(path.join(a, key!, name)).equals(readFileSync(path.join(b, key!, name)))]).toEqual([name, true]);
      // From the cache: nothing is fetched (the cache folder is empty, the download refused).
      const again = await buildGuest({ repo: ROOT, builder: 'test', cache: a, out: a, get: refuse }, recipe, arch, selftest(arch));
      expect(again.images).toEqual(first.images);
      expect(second.images.map((i) => i.files.map((f) => f.sha256))).toEqual(first.images.map((i) => i.files.map((f) => f.sha256)));
      const initramfs = path.join(a, key!, `selftest-alpine-${arch}.initramfs`);
      const listing = execFileSync('busybox', ['cpio', '-t'], { input: readFileSync(initramfs), stdio: ['pipe', 'pipe', 'ignore'] });
      expect(listing.toString().split('\n')).toEqual(
        expect.arrayContaining(['init', 'etc/ai-way/modules', 'etc/ai-way/settings.sh', 'sbin/ai-way-agent', 'appliance/www/health']),
      );
    });
  });
}

describe('the Fedora guest', () => {
  it('stops with one line naming its pinned source when the cache lacks it', async () => {
    const recipe = loadRecipe(ROOT, 'fedora');
    const empty = mkdtempSync(path.join(os.tmpdir(), 'cache-'));
    const out = mkdtempSync(path.join(os.tmpdir(), 'guest-'));
    const agent = path.join(ROOT, 'build', 'native', 'ai-way-agent-x86_64');
    if (!existsSync(agent) || !existsSync(selftest('x86_64').oci))
      return console.warn('SKIPPING: the agent or the selftest image is not built');
    await expect(
      buildGuest({ repo: ROOT, builder: 'test', cache: empty, out, get: refuse }, recipe, 'x86_64', selftest('x86_64')),
    ).rejects.toThrow(
      `Fedora 40 container root filesystem (x86_64): ${path.join(empty, 'fedora/fedora-40.oci.tar')} is missing, and the build reads no ` +
        `registry: put an OCI archive of docker.io/library/fedora:40@${FEDORA_DIGEST} there`,
    );
  });
});

describe('a build without the upstream files or a network', () => {
  const agents = ['x86_64', 'aarch64'].map((a) => path.join(ROOT, 'build', 'native', `ai-way-agent-${a}`));

  it.skipIf(!agents.every(existsSync))(
    'skips each guest with one line, and still lists the images it made',
    { timeout: 60_000 },
    async () => {
      // A checkout of its own: the build writes build/ beside it.
      const repo = mkdtempSync(path.join(os.tmpdir(), 'checkout-'));
      cpSync(path.join(ROOT, 'images'), path.join(repo, 'images'), { recursive: true });
      for (const f of ['init.sh', 'wsl-start.sh'])
        cpSync(path.join(ROOT, 'packaging', 'guest', f), path.join(repo, 'packaging', 'guest', f));
      for (const a of agents) cpSync(a, path.join(repo, 'build', 'native', path.basename(a)));
      // A download cut short: not a package at all.
      mkdirSync(path.join(repo, DEBIAN_FOLDER), { recursive: true });
      writeFileSync(path.join(repo, DEBIAN_FOLDER, 'busybox-static_1.35_arm64.deb'), 'half a package');
      const notes = await buildImages({
        repo,
        version: '0.0.0',
        builder: 'test',
        env: { AIWAY_UPSTREAM_CACHE: path.join(repo, 'none') },
        get: refuse,
      });
      const url = 'https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz';
      expect(notes).toContain(
        `selftest alpine x86_64 guest skipped: Alpine Linux 3.20.3 mini root filesystem (x86_64): not in ${path.join(repo, 'none')} ` +
          `(AIWAY_UPSTREAM_CACHE) and ${url} cannot be downloaded (getaddrinfo ENOTFOUND dl-cdn.alpinelinux.org)`,
      );
      expect(notes).toContain('ai-way guests skipped: the ai-way image was not built');
      expect(notes).toContainEqual(expect.stringMatching(/^selftest image skipped: aarch64: dpkg-deb --fsys-tarfile .* failed: /));
      for (const n of notes) expect(n).not.toContain('\n');
      const carried = carriedImagesSchema.parse(JSON.parse(readFileSync(path.join(repo, CARRIED_IMAGES_FILE), 'utf8')));
      expect(carried.images.map((i) => `${i.format} ${i.arch}`)).toContain('oci x86_64');
      expect(carried.images.filter((i) => i.format !== 'oci')).toEqual([]);
      expect(carried.skipped.map((s) => `${s.flavor} ${s.arch}`).sort()).toEqual([
        'alpine aarch64',
        'alpine x86_64',
        'fedora aarch64',
        'fedora x86_64',
      ]);
    },
  );
});
