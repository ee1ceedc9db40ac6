import { describe, expect, it } from 'vitest';
import { chooseImage } from '../../appliance/image-policy.ts';
import { makePlan } from '../../appliance/plan.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import type { HostFacts } from '../../appliance/host-facts.ts';

const GiB = 1024 ** 3;
type Gpu = HostFacts['gpus'][number];
const gpu = (vendor: Gpu['vendor'], usable = true): Gpu => ({
  vendor,
  usable,
  model: `${vendor} gpu`,
  pciBusId: '0000:01:00.0',
  uuid: null,
});
const facts = (
  platform: HostFacts['host']['platform'],
  arch: 'x86_64' | 'aarch64',
  memGiB: number,
  gpus: Gpu[] = [],
  bolt = false,
): HostFacts => ({
  host: { platform, arch, memBytes: memGiB * GiB, cpus: 8 },
  gpus,
  tools: { bolt: { found: bolt, version: bolt ? '0.9.0' : null } },
});

describe('image policy: the architecture table, top to bottom', () => {
  it.each([
    ['usable NVIDIA on Linux, even with little memory', facts('linux', 'x86_64', 8, [gpu('nvidia')]), 'fedora', 'x86_64', 'nvidia'],
    ['usable NVIDIA through WSL2', facts('wsl2', 'x86_64', 32, [gpu('nvidia')]), 'fedora', 'x86_64', 'nvidia'],
    ['usable NVIDIA on Windows', facts('windows', 'x86_64', 32, [gpu('nvidia')]), 'fedora', 'x86_64', 'nvidia'],
    ['usable AMD on Linux', facts('linux', 'x86_64', 32, [gpu('amd')]), 'fedora', 'x86_64', 'amd'],
    ['NVIDIA wins over AMD (row order)', facts('linux', 'x86_64', 32, [gpu('amd'), gpu('nvidia')]), 'fedora', 'x86_64', 'nvidia'],
    ['Apple Silicon', facts('macos', 'aarch64', 16, [gpu('apple', false)]), 'alpine', 'aarch64', 'apple-silicon'],
    ['Intel Mac, even with an AMD GPU', facts('macos', 'x86_64', 32, [gpu('amd', false)]), 'alpine', 'x86_64', 'intel-mac'],
    ['no usable GPU', facts('linux', 'x86_64', 64, [gpu('nvidia', false)]), 'alpine', 'x86_64', 'no-gpu'],
    ['no GPU at all, arm64 Linux', facts('linux', 'aarch64', 64), 'alpine', 'aarch64', 'no-gpu'],
    ['usable Intel GPU with less than 16 GiB', facts('linux', 'x86_64', 8, [gpu('intel')]), 'alpine', 'x86_64', 'small-memory'],
    ['usable Intel GPU with enough memory', facts('linux', 'x86_64', 16, [gpu('intel')]), 'fedora', 'x86_64', 'default'],
  ])('%s', (_, f, flavor, arch, rule) => {
    const c = chooseImage(f);
    expect(c).toMatchObject({ flavor, arch, rule });
    expect(c.reason.length).toBeGreaterThan(10);
  });

  it("the user's choice wins and is the recorded reason", () => {
    expect(chooseImage(facts('linux', 'x86_64', 64), 'fedora')).toEqual({
      flavor: 'fedora',
      arch: 'x86_64',
      rule: 'override',
      reason: 'chosen by the user (--image fedora)',
    });
  });
});

describe('plan', () => {
  it('is deterministic and serialisable', () => {
    const f = facts('linux', 'x86_64', 32, [gpu('nvidia')]);
    expect(JSON.parse(JSON.stringify(makePlan(ADAPTERS, f)))).toEqual(makePlan(ADAPTERS, f));
  });

  it('passes a usable NVIDIA GPU by CDI on Linux, through /dev/dxg on WSL2, when its nodes were found', () => {
    const withNodes = (platform: 'linux' | 'wsl2'): HostFacts => ({
      ...facts(platform, 'x86_64', 32, [{ ...gpu('nvidia'), deviceNodes: platform === 'linux' ? ['/dev/nvidia0'] : [] }]),
      gpuDrivers: [
        {
          vendor: 'nvidia',
          wsl: platform === 'wsl2',
          nodes: platform === 'linux' ? ['/dev/nvidiactl'] : ['/dev/dxg'],
          libraries: [],
          files: [],
          folders: [],
          version: null,
        },
      ],
    });
    expect(makePlan(ADAPTERS, withNodes('linux')).gpu).toMatchObject({ mode: 'cdi', vendor: 'nvidia', cdi: { devices: ['all'] } });
    expect(makePlan(ADAPTERS, withNodes('wsl2')).gpu).toMatchObject({ mode: 'wsl', vendor: 'nvidia', cdi: { devices: ['all'] } });
    // Without them nothing could be passed: the Plan says so instead of promising a GPU.
    expect(makePlan(ADAPTERS, facts('linux', 'x86_64', 32, [gpu('nvidia')])).gpu).toMatchObject({ mode: 'none', cdi: null });
    // WSL2 makes it inside
    expect(makePlan(ADAPTERS, facts('windows', 'x86_64', 32, [gpu('nvidia')])).gpu).toMatchObject({ mode: 'wsl', cdi: null });
  });

  it('--gpu none turns the GPU off, and says so', () => {
    expect(makePlan(ADAPTERS, facts('linux', 'x86_64', 32, [gpu('nvidia')]), { image: 'auto', gpu: 'none' }).gpu).toMatchObject({
      mode: 'none',
      reason: expect.stringContaining('--gpu none'),
    });
  });

  it('--image alpine on an NVIDIA host warns that the GPU cannot be used', () => {
    const p = makePlan(ADAPTERS, facts('linux', 'x86_64', 32, [gpu('nvidia')]), { image: 'alpine', gpu: 'auto' });
    expect(p.gpu.mode).toBe('none');
    expect(p.warnings.join()).toContain('glibc');
  });

  it('chooses the platform adapter and engine by host', () => {
    expect(makePlan(ADAPTERS, facts('windows', 'x86_64', 32)).platform.adapter).toBe('wsl2');
    expect(makePlan(ADAPTERS, facts('macos', 'aarch64', 32)).platform.adapter).toBe('lima');
    expect(makePlan(ADAPTERS, facts('linux', 'x86_64', 32)).engine.name).toBe('podman');
    expect(makePlan(ADAPTERS, facts('linux', 'x86_64', 32, [], true)).engine.name).toBe('bolt');
  });

  it('leaves the desktop room: half the memory, all cores but one', () => {
    const r = makePlan(ADAPTERS, facts('linux', 'x86_64', 32)).resources;
    expect(r).toMatchObject({ memBytes: 16 * GiB, cpus: 7 });
    expect(r.workspaceBytes).toBeLessThanOrEqual(r.memBytes / 4);
  });
});
