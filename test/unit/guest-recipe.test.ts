// The guest recipes as written, the settings the init sources (read back by a real shell), where a
// pinned upstream file comes from, and which guest a session gets when its flavour is missing.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CarriedImages, pickGuest } from '../../appliance/guest-images.ts';
import { guestRoot, guestSettings, shellWord, vmRoot, wslRoot } from '../../packaging/guest/compose.ts';
import { loadRecipe, RECIPES } from '../../packaging/guest/recipe.ts';
import { pinnedFile, upstreamCache } from '../../packaging/guest/upstream.ts';
import type { TarEntry } from '../../appliance/tar.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const alpine = loadRecipe(ROOT, 'alpine');
const CACHE = upstreamCache(ROOT);
const cached = existsSync(path.join(CACHE, alpine.base.x86_64.file));

describe('recipes', () => {
  it('pin every architecture of every flavour', () => {
    for (const flavor of RECIPES) {
      const r = loadRecipe(ROOT, flavor);
      expect(r.flavor).toBe(flavor);
      for (const pin of Object.values(r.base)) expect('sha512' in pin ? pin.sha512 : pin.digest).toMatch(/^(sha256:)?[0-9a-f]{64,128}$/);
    }
  });

  it("name Alpine's release files and their download addresses", () => {
    expect(alpine.base.aarch64).toMatchObject({
      file: 'alpine/alpine-minirootfs-3.20.3-aarch64.tar.gz',
      url: 'https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/aarch64/alpine-minirootfs-3.20.3-aarch64.tar.gz',
    });
  });
});

describe("the init's settings", () => {
  it('quote every word so that the shell gives back the command as written', () => {
    const command = ['/bin/app', "it's", '$HOME', '`id`', 'a b', '"q"', '\\', '*'];
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'settings-')), 'settings.sh');
    writeFileSync(file, guestSettings({ command, workspaceBytes: 1024, workspaceExec: false }));
    const out = execFileSync('sh', ['-c', '. "$0"; printf "%s\\n" "$channel_port" "$workspace_bytes" "$workspace_exec" "$@"', file], {
      encoding: 'utf8',
    });
    expect(out.split('\n').slice(0, -1)).toEqual(['ai-way', '1024', '0', ...command]);
  });

  it('refuse a word the init cannot read back', () => {
    expect(() => guestSettings({ command: ['a\nb'], workspaceBytes: 1, workspaceExec: true })).toThrow('without newlines');
    expect(shellWord("'")).toBe(`''\\'''`);
  });
});

describe("a guest's contents", () => {
  const enc = new TextEncoder();
  const parts = (busybox: string | Uint8Array) => ({
    base: [
      { path: 'bin/busybox', data: enc.encode('alpine busybox'), mode: 0o755 },
      { path: 'etc', data: new Uint8Array(), directory: true },
    ],
    agent: enc.encode('agent'),
    busybox,
    appliance: { root: [{ path: 'www/health', data: enc.encode('ok') }], command: ['/bin/app'], workspaceBytes: 1, workspaceExec: false },
  });
  const at = (entries: TarEntry[], p: string) => entries.find((e) => e.path === p);

  it("hold the agent, the appliance under /appliance, its settings, and the init's busybox", () => {
    const root = guestRoot(parts('bin/busybox'));
    expect(at(root, 'sbin/ai-way-agent')).toMatchObject({ mode: 0o755 });
    expect(at(root, 'appliance/www/health')).toBeDefined();
    expect(at(root, 'appliance/www')).toMatchObject({ directory: true });
    expect(at(root, 'usr/lib/ai-way/busybox')).toMatchObject({ linkTarget: '/bin/busybox' });
    expect(at(guestRoot(parts(enc.encode('static busybox'))), 'usr/lib/ai-way/busybox')).toMatchObject({ mode: 0o755 });
    expect(at(root, 'etc/ai-way/settings.sh')).toBeDefined();
  });

  it('are, for WSL, told to leave Windows out, with the start script; for a vm, the init and its modules in load order', () => {
    const wsl = wslRoot(parts('bin/busybox'), '#!start');
    expect(new TextDecoder().decode(at(wsl, 'etc/wsl.conf')!.data)).toContain('[interop]\nenabled = false');
    expect(at(wsl, 'usr/lib/ai-way/wsl-start.sh')).toMatchObject({ mode: 0o755 });
    const modules = ['virtio_ring', 'virtio'].map((m) => ({ path: `lib/modules/6.1/kernel/${m}.ko`, data: new Uint8Array(), mode: 0o644 }));
    const vm = vmRoot(parts('bin/busybox'), '#!/init', { release: '6.1', image: new Uint8Array(), modules, source: {} as never });
    expect(at(vm, 'init')).toMatchObject({ mode: 0o755 });
    expect(new TextDecoder().decode(at(vm, 'etc/ai-way/modules')!.data)).toBe(
      'lib/modules/6.1/kernel/virtio_ring.ko\nlib/modules/6.1/kernel/virtio.ko\n',
    );
    expect(at(vm, 'lib/modules/6.1/kernel')).toMatchObject({ directory: true });
  });
});

describe('a pinned upstream file', () => {
  const pin = alpine.base.x86_64;
  if (!('url' in pin)) throw new Error("Alpine's recipe pins a tarball");
  const refuse = () => Promise.reject(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND dl-cdn.alpinelinux.org') }));

  it.skipIf(!cached)('comes from the cache folder when its sum matches', async () => {
    const got = await pinnedFile(pin, CACHE, refuse);
    expect(got.from).toBe(path.join(CACHE, pin.file));
  });

  it.skipIf(!cached)('is refused from the cache when its sum does not match', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'cache-'));
    const bytes = readFileSync(path.join(CACHE, pin.file));
    bytes[100]! ^= 1;
    mkdirSync(path.join(cache, 'alpine'));
    writeFileSync(path.join(cache, pin.file), bytes);
    await expect(pinnedFile(pin, cache, refuse)).rejects.toThrow(`${path.join(cache, pin.file)} does not match its pinned SHA-512`);
  });

  it('fails with one line when neither the cache nor the address has it', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'cache-'));
    const failure = pinnedFile(pin, empty, refuse);
    await expect(failure).rejects.toThrow(
      `Alpine Linux 3.20.3 mini root filesystem (x86_64): not in ${empty} (AIWAY_UPSTREAM_CACHE) and ${pin.url} ` +
        'cannot be downloaded (getaddrinfo ENOTFOUND dl-cdn.alpinelinux.org)',
    );
    await expect(failure).rejects.toThrow(/^[^\n]+$/);
  });

  it.skipIf(!cached)('is downloaded when the cache lacks it, and checked', async () => {
    const served = path.join(mkdtempSync(path.join(os.tmpdir(), 'served-')), 'file');
    copyFileSync(path.join(CACHE, pin.file), served);
    const server = createServer((_, res) => res.end(readFileSync(served)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const fromUrl = { ...pin, url };
    try {
      const empty = mkdtempSync(path.join(os.tmpdir(), 'cache-'));
      expect((await pinnedFile(fromUrl, empty)).from).toBe(url);
      writeFileSync(served, 'not the release');
      await expect(pinnedFile(fromUrl, empty)).rejects.toThrow(`what ${url} sent does not match its pinned SHA-512`);
    } finally {
      server.close();
    }
  });
});

describe('the guest a session gets', () => {
  const vm = (flavor: 'alpine' | 'fedora') => ({
    appliance: 'selftest',
    flavor,
    arch: 'x86_64' as const,
    format: 'vm' as const,
    files: [{ role: 'kernel' as const, path: 'k', bytes: 1, sha256: '0'.repeat(64) }],
    sources: [],
  });
  const skipped = [{ flavor: 'fedora' as const, arch: 'x86_64' as const, reason: 'fedora/fedora-40.oci.tar is missing' }];

  it("is the policy's flavour when the build carries it", () => {
    const carried: CarriedImages = { images: [vm('alpine'), vm('fedora')], skipped: [] };
    expect(pickGuest(carried, 'selftest', 'fedora', 'x86_64', 'vm')).toEqual({ image: vm('fedora'), warning: null });
  });

  it('is Alpine, with a warning and the reason, when the build carries no Fedora guest', () => {
    const pick = pickGuest({ images: [vm('alpine')], skipped }, 'selftest', 'fedora', 'x86_64', 'vm');
    expect(pick.image).toEqual(vm('alpine'));
    expect(pick.warning).toBe(
      'this ai-way carries no Fedora x86_64 guest for selftest (fedora/fedora-40.oci.tar is missing); the Alpine guest is used',
    );
  });

  it('is none, said plainly, when neither flavour is carried', () => {
    const pick = pickGuest({ images: [], skipped }, 'selftest', 'fedora', 'aarch64', 'wsl-rootfs');
    expect(pick).toEqual({
      image: null,
      warning: 'this ai-way carries no Fedora aarch64 guest for selftest (it was not built), and no Alpine guest either',
    });
  });
});
