// The live probe on this machine, with real programs.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probeHost } from '../../platforms/host/probe.ts';
import { MAX_ARTIFACT_BYTES } from '../../platforms/host/artifacts.ts';
import { readBundle, writeBundle } from '../../platforms/host/bundle.ts';
import { analyzeHost } from '../../platforms/host/analyze.ts';
import { chooseImage } from '../../appliance/image-policy.ts';
import { probeHere } from '../../launcher/host-source.ts';
import { fixture } from '../support/artifacts.ts';

function podmanVersion(): string | null {
  try {
    return /(\d+\.\d+\.\d+)/.exec(execFileSync('podman', ['--version'], { encoding: 'utf8' }))?.[1] ?? null;
  } catch {
    return null;
  }
}

describe('live probe of this machine', () => {
  it('reports Linux, x86_64, memory, cores, podman as `podman --version` says, and an image with its reason', async () => {
    const r = analyzeHost(await probeHost());
    expect(r.host.platform).toBe(process.platform === 'linux' ? 'linux' : expect.anything());
    expect(r.host.arch).toBe(process.arch === 'x64' ? 'x86_64' : 'aarch64');
    expect(r.host.memBytes).toBeGreaterThan(512 * 1024 ** 2);
    expect(r.host.cpus).toBe(os.cpus().length);
    const version = podmanVersion();
    expect(r.tools.podman).toMatchObject(version ? { found: true, version } : { found: false });
    const image = chooseImage(r);
    if (r.gpus.every((g) => !g.usable)) expect(image).toMatchObject({ flavor: 'alpine', rule: expect.stringMatching(/no-gpu/) });
    expect(image.reason).toBeTruthy();
  });
});

describe('a command that hangs', () => {
  // A real stand-in for a wedged nvidia-smi: it ignores SIGTERM and sleeps.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-hang-'));
  const script = path.join(dir, 'nvidia-smi');
  writeFileSync(script, `#!/bin/sh\ntrap '' TERM\necho partial\nexec sleep 60\n`);
  chmodSync(script, 0o755);

  it('costs at most its time limit, becomes a note, and is killed', async () => {
    const started = Date.now();
    const a = await probeHost({ pathPrefix: [dir], timeoutScale: 0.1 }); // nvidia-smi's 5 s limit becomes 0.5 s
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(3000);
    expect(a.commands.get('nvidia-smi')?.timeoutMs).toBe(500);
    const r = analyzeHost(a);
    expect(r.notes.join('\n')).toMatch(/nvidia-smi .* did not answer in time/);
    await new Promise((res) => setTimeout(res, 300));
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(dir));
    expect(left).toEqual([]);
  });
});

describe('a command that floods its output', () => {
  // A stand-in nvidia-smi that prints 1 MiB more than a bundle keeps of an output.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-flood-'));
  writeFileSync(path.join(dir, 'nvidia-smi'), `#!/bin/sh\nhead -c ${MAX_ARTIFACT_BYTES + 1024 * 1024} /dev/zero\n`);
  chmodSync(path.join(dir, 'nvidia-smi'), 0o755);

  it('is kept up to what a bundle holds, so a collected bundle always reads back', async () => {
    const a = await probeHost({ pathPrefix: [dir] });
    expect(a.commands.get('nvidia-smi')?.out.length).toBe(MAX_ARTIFACT_BYTES);
    const { archive } = await writeBundle(path.join(dir, 'bundle'), a);
    expect((await readBundle(archive)).commands.get('nvidia-smi')?.out.length).toBe(MAX_ARTIFACT_BYTES);
  });
});

describe('what the platform adapters ask the probe to record', () => {
  it('keeps the Podman profile a canary learned, as the doctor reads it; a file that is not there is left out', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'ai-way-cache-'));
    mkdirSync(path.join(cache, 'ai-way'));
    const profile = fixture('ai-way-podman-profile', 'root-debian-12-podman-4-3-1');
    writeFileSync(path.join(cache, 'ai-way', 'podman-profile.json'), profile);
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    try {
      const a = await probeHere();
      expect(a.commands.get('ai-way-podman-profile')?.out).toEqual(profile);
      if (podmanVersion()) expect(analyzeHost(a).prerequisites.find((p) => p.id === 'podman')!.detail).toMatch(/a test container showed/);
      process.env.XDG_CACHE_HOME = path.join(cache, 'nothing-here');
      expect((await probeHere()).commands.has('ai-way-podman-profile')).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
