// The ai-way image as the build makes it: the same inputs give the same bytes; the archive holds
// Node, the app, node-llama-cpp with the native library of its architecture, Debian's glibc, and no
// shell; and Podman (rootless, as a user runs it) starts its Node, which loads llama.cpp's CPU build.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageArch } from '../../appliance/image-policy.ts';
import type { TarEntry } from '../../appliance/tar.ts';
import { APP_FOLDER, bundleApp } from '../../packaging/ai-way/app-bundle.ts';
import { buildAiWayImage } from '../../packaging/ai-way/build-ai-way-image.ts';
import { ociRootTree } from '../../packaging/guest/oci-tree.ts';
import { podmanAsUser, rootlessUnavailable } from '../support/rootless.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const image = (arch: ImageArch) => path.join(ROOT, 'build', 'images', `ai-way-cpu-${arch}.oci.tar`);
const notBuilt = !existsSync(path.join(ROOT, APP_FOLDER, 'src', 'main.ts'))
  ? `${APP_FOLDER} has no app yet`
  : existsSync(image('x86_64'))
    ? null
    : `${image('x86_64')} is not built (npm run build; npm run setup downloads its Debian packages)`;
const ELF_MACHINE = { x86_64: 62, aarch64: 183 } as const;
const NPM_ARCH = { x86_64: 'x64', aarch64: 'arm64' } as const;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const machine = (elf: Uint8Array) => Buffer.from(elf).readUInt16LE(18);

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe.skipIf(notBuilt)('the ai-way image', () => {
  it('is the same bytes when built again from the same inputs, elsewhere, by other build code', { timeout: 120_000 }, async () => {
    const app = await bundleApp(ROOT);
    if (typeof app === 'string') throw new Error(app);
    const sums = [];
    for (const builder of ['one', 'two']) {
      const out = mkdtempSync(path.join(os.tmpdir(), 'ai-way-image-'));
      temps.push(out);
      const made = buildAiWayImage({ repo: ROOT, version: '0.1.0', builder, out }, app, 'cpu', 'x86_64');
      if (typeof made === 'string') throw new Error(made);
      sums.push(sha256(readFileSync(made.file)));
    }
    expect(sums[1]).toBe(sums[0]);
    expect(sha256(readFileSync(image('x86_64')))).toBe(sums[0]);
  });

  for (const arch of ['x86_64', 'aarch64'] as const)
    it.skipIf(!existsSync(image(arch)))(`${arch}: holds Node, the app, llama.cpp for ${arch}, glibc, the agent, and no shell`, () => {
      const tree = new Map<string, TarEntry>(ociRootTree(readFileSync(image(arch)), arch, image(arch)).map((e) => [e.path, e]));
      const file = (p: string) => {
        const e = tree.get(p);
        expect(e, p).toBeDefined();
        return e!;
      };
      expect(machine(file('usr/bin/node').data)).toBe(ELF_MACHINE[arch]);
      expect(file('usr/bin/node').mode).toBe(0o755);
      expect(file('app/main.mjs').data.length).toBeGreaterThan(0);
      expect(JSON.parse(Buffer.from(file('app/node_modules/node-llama-cpp/package.json').data).toString()).version).toBe('3.21.1');
      const bins = `app/node_modules/@node-llama-cpp/linux-${NPM_ARCH[arch]}/bins/linux-${NPM_ARCH[arch]}`;
      for (const lib of ['llama-addon.node', 'libllama.v0.4.0.so', 'libggml-base.so'])
        expect(machine(file(`${bins}/${lib}`).data)).toBe(ELF_MACHINE[arch]);
      const gnu = `${arch}-linux-gnu`;
      for (const lib of [`lib/${gnu}/libc.so.6`, `lib/${gnu}/libgcc_s.so.1`, `usr/lib/${gnu}/libstdc++.so.6`])
        expect(tree.has(lib), lib).toBe(true);
      expect(file(arch === 'x86_64' ? 'lib64/ld-linux-x86-64.so.2' : 'lib/ld-linux-aarch64.so.1').linkTarget).toBeDefined();
      expect(file('sbin/ai-way-agent').mode).toBe(0o755);
      expect(file('model').directory).toBe(true);
      expect(file('workspace').mode).toBe(0o700);
      // no shell and no busybox, under any name
      const shells = [...tree.keys()].filter((p) => /(^|\/)(sh|bash|dash|ash|busybox)$/.test(p));
      expect(shells).toEqual([]);
      // only the CPU build: no GPU package in this image
      expect([...tree.keys()].filter((p) => /@node-llama-cpp\/[^/]*-(cuda|vulkan)/.test(p))).toEqual([]);
    });

  it.skipIf(rootlessUnavailable())(
    "runs under rootless Podman: the image's Node loads llama.cpp's CPU build from Debian's glibc",
    { timeout: 120_000 },
    () => {
      const loaded = podmanAsUser(['load'], readFileSync(image('x86_64')));
      expect(loaded.err + loaded.out).toContain('localhost/ai-way-cpu:0.1.0');
      // Read from stdin, so that the library's test of its binary (a fork of its own file, with Node's
      // options) runs as it runs in the app.
      const load =
        "import('/app/node_modules/node-llama-cpp/dist/index.js').then(async ({ getLlama }) => {" +
        "  const llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });" +
        "  console.log(process.version, process.arch, llama.gpu === false ? 'cpu' : llama.gpu);" +
        '});';
      const run = (input: string | undefined, ...command: string[]) =>
        podmanAsUser(
          [
            'run',
            '--rm',
            '--interactive',
            '--network',
            'none',
            '--runtime',
            'runc',
            '--cgroup-manager',
            'cgroupfs',
            '--ulimit',
            'nofile=1024:1024',
            '--ulimit',
            'nproc=1024:1024',
            '--user',
            '1000:1000',
            '--workdir',
            '/tmp',
            ...command,
          ],
          input === undefined ? undefined : new TextEncoder().encode(input),
        );
      const node = run(load, '--entrypoint', '/usr/bin/node', 'localhost/ai-way-cpu:0.1.0', '-');
      expect(node).toMatchObject({ code: 0, out: 'v20.20.2 x64 cpu\n' });
      const shell = run(undefined, '--entrypoint', '/bin/sh', 'localhost/ai-way-cpu:0.1.0', '-c', 'true');
      expect(shell.code).not.toBe(0);
      expect(shell.err).toMatch(/\/bin\/sh.*no such file or directory/);
      podmanAsUser(['rmi', '--force', 'localhost/ai-way-cpu:0.1.0']);
    },
  );
});
