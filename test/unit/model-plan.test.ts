// The model in the Plan, the Podman command and the isolation verdict: a model needed and missing
// is a Plan error that says how to add one; a model found enters read-only, on the container way
// only; the verdict proves its mount read-only when one was passed, and only then.
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../appliance/host-facts.ts';
import { parseManifest } from '../../appliance/manifest.ts';
import { makePlan, startable, type PlanOptions } from '../../appliance/plan.ts';
import type { ModelFound } from '../../appliance/plan-model.ts';
import { podmanRunArgs } from '../../appliance/engines/podman.ts';
import { verifyIsolation } from '../../appliance/isolation.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import { agentReport, RECORDED_ASK } from '../contract/fixtures.ts';
import { VALID } from '../support/manifests.ts';

const linux: HostFacts = {
  host: { platform: 'linux', arch: 'x86_64', memBytes: 16 * 1024 ** 3, cpus: 8 },
  gpus: [],
  tools: { bolt: { found: false, version: null } },
};
const MODEL = { name: 'tiny', file: '/home/u/.local/share/ai-way/models/ab.gguf', sha256: 'ab'.repeat(32), bytes: 3_738_464 };
const spec = (model: string) => parseManifest(`${VALID}${model}`, '/srv/demo/appliance.toml');
const plan = (model: string, found: ModelFound, o: Partial<PlanOptions> = {}) =>
  makePlan(ADAPTERS, linux, { image: 'auto', gpu: 'auto', ...o }, spec(model), found);

describe('the model in the Plan', () => {
  it('reads [model] from the manifest: needed, with or without a default', () => {
    expect(spec('').model).toBeNull();
    expect(spec('\n[model]\n').model).toEqual({ default: null });
    expect(spec('\n[model]\ndefault = "tiny-1.q4"\n').model).toEqual({ default: 'tiny-1.q4' });
    expect(() => spec('\n[model]\ndefault = "no spaces"\n')).toThrow(/'default' in \[model\] is "no spaces", not a model name/);
  });

  it('carries the model found, and none when none is needed', () => {
    expect(plan('\n[model]\n', MODEL)).toMatchObject({ model: MODEL, errors: [] });
    expect(plan('', null)).toMatchObject({ model: null, errors: [] });
  });

  it('cannot start without a model it needs, and the fix says exactly how to add one', () => {
    const p = plan('\n[model]\n', { missing: 'none was given (--model) and its manifest names no default' });
    expect(p.model).toBeNull();
    expect(p.errors).toEqual([
      {
        problem: 'demo needs a model, and none was given (--model) and its manifest names no default',
        fix: 'add one with "ai-way models add FILE.gguf", or name one with --model NAME|PATH',
      },
    ]);
    expect(() => startable(p, 'demo')).toThrow(
      expect.objectContaining({ code: 'prerequisite', fix: expect.stringContaining('ai-way models add FILE.gguf') }),
    );
  });

  it('carries a model on the QEMU way (a read-only drive)', () => {
    for (const o of [{ platform: 'qemu' }, { isolation: 'vm' }] as const) {
      const p = plan('\n[model]\n', MODEL, o);
      expect(p.platform.adapter).toBe('qemu');
      expect(p.errors).toEqual([]);
      expect(p.model).toEqual(MODEL);
    }
  });

  it('refuses a model on the ways that cannot carry one yet (WSL2, Lima), saying so', () => {
    for (const platform of ['wsl2', 'lima'] as const) {
      const host = { ...linux, host: { ...linux.host, platform: platform === 'wsl2' ? 'windows' : 'macos' } } as const;
      const p = makePlan(ADAPTERS, host, { image: 'auto', gpu: 'auto' }, spec('\n[model]\n'), MODEL);
      expect(p.platform.adapter).toBe(platform);

      expect(p.errors).toEqual([
        expect.objectContaining({ problem: expect.stringContaining(`cannot enter a ${platform} virtual machine yet`) }),
      ]);
    }
  });
});

describe('the model in the Podman command', () => {
  const args = (model?: string | null) =>
    podmanRunArgs(
      { globalArgs: [], nofileUlimit: false, userns: 'auto' },
      {
        sessionId: 's',
        launcherPid: 1,
        usernsSlot: 0,
        image: 'img',
        command: ['/app'],
        workspaceBytes: 1 << 20,
        workspaceExec: false,
        memBytes: 1 << 28,
        shmBytes: 1 << 20,
        cpus: 1,
        pids: 64,
        gpu: null,
        model,
      },
    );

  it('binds the one file read-only, with no devices, set-uid programs or execution', () => {
    const a = args(MODEL.file);
    expect(a[a.indexOf('--volume') + 1]).toBe(`${MODEL.file}:/model/model.gguf:ro,nosuid,nodev,noexec`);
    expect(a.indexOf('--volume')).toBeLessThan(a.indexOf('img')); // a podman flag, not the agent's
    expect(args(null)).not.toContain('--volume');
  });
});

describe('the model in the isolation verdict', () => {
  const report = agentReport('rootless-podman-4-3-1-cgroup-v1');
  const want = { ...RECORDED_ASK, isolation: 'container' as const };
  const mount = { path: '/model/model.gguf', mountPoint: '/model/model.gguf', fstype: 'ext4', sizeBytes: 1, freeBytes: 0 };
  const fact = (model: unknown, asked = true) =>
    verifyIsolation({ ...report, model }, { ...want, model: asked }).facts.find((f) => f.id === 'model');

  it('proves a read-only, inert mount of its own', () => {
    expect(fact({ ...mount, options: 'ro,nosuid,nodev,noexec,relatime,rw,errors=remount-ro' })).toEqual({
      id: 'model',
      ok: true,
      detail: 'the model is mounted read-only at /model/model.gguf (ro, nodev, nosuid, noexec)',
    });
  });

  it('fails a writable mount, a missing option, a file of the image, or no model at all', () => {
    expect(fact({ ...mount, options: 'rw,nosuid,nodev,noexec' })).toMatchObject({ ok: false, detail: /writable/ });
    expect(fact({ ...mount, options: 'ro,nosuid,nodev' })).toMatchObject({ ok: false, detail: "the model's mount lacks noexec" });
    expect(fact({ ...mount, mountPoint: '/', options: 'ro,nosuid,nodev,noexec' })).toMatchObject({
      ok: false,
      detail: /not a mount of its own/,
    });
    expect(fact(null)).toMatchObject({ ok: false, detail: 'the model is not at /model/model.gguf inside' });
    expect(verifyIsolation({ ...report, model: null }, { ...want, model: true }).proven).toBe(false);
  });

  it('says nothing of a model when none was passed', () => {
    expect(fact(null, false)).toBeUndefined();
    expect(verifyIsolation(report, want).proven).toBe(true);
  });
});
