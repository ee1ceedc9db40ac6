// `doctor --bundle DIR` over a folder of support bundles, built from recorded host data: a GPU
// server, a Windows laptop (its archive only), a Linux machine without Podman, a broken archive.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlesIn, fleetRows } from '../../launcher/fleet.ts';
import { renderFleet } from '../../launcher/render/fleet.ts';
import { writeBundle } from '../../platforms/host/bundle.ts';
import { artifacts, fixture } from '../support/artifacts.ts';
import { podman, utf16 } from '../support/hosts.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/ai-way.mjs');
let fleet = '';

beforeAll(async () => {
  fleet = mkdtempSync(path.join(os.tmpdir(), 'ai-way-fleet-'));
  await writeBundle(
    path.join(fleet, 'gpu-server'),
    artifacts({
      devices: ['/dev/nvidia0', '/dev/nvidiactl', '/dev/nvidia-uvm'],
      files: {
        '/proc/driver/nvidia/version': fixture('proc-driver-nvidia-version', 'open-565-57-01-x86_64-ubuntu2404'),
        '/etc/os-release': fixture('etc-os-release', 'debian-12-bookworm'),
      },
      commands: { ...podman, 'nvidia-smi-L': fixture('nvidia-smi-L', 'dual-a10') },
    }),
  );
  const laptop = await writeBundle(
    path.join(fleet, 'laptop'),
    artifacts({
      host: { os: 'win32', release: '10.0.22621', env: { PROCESSOR_ARCHITECTURE: 'AMD64' } },
      devices: null,
      commands: {
        'wsl-version': utf16(fixture('wsl-version', 'de-1-0-3')),
        'wsl-status': utf16(fixture('wsl-status', 'en-debian-no-kernel-line')),
        'wsl-list-verbose': utf16(fixture('wsl-list-verbose', 'en-single-ubuntu')),
        'nvidia-smi-q-x': fixture('nvidia-smi-q-x', 'windows-wddm-rtx-3080-536-40'),
        systeminfo: fixture('systeminfo', 'en-hyperv-section-hypervisor-detected'),
      },
    }),
  );
  rmSync(laptop.dir, { recursive: true }); // only its archive is handed in
  await writeBundle(
    path.join(fleet, 'no-podman'),
    artifacts({ files: { '/etc/os-release': fixture('etc-os-release', 'debian-12-bookworm') } }),
  );
  writeFileSync(path.join(fleet, 'broken.tar.gz'), 'not a gzip file');
});

afterAll(() => rmSync(fleet, { recursive: true, force: true }));

describe('doctor over a folder of bundles', () => {
  it('finds each machine once (a folder and its archive are one), and a single bundle stays one', async () => {
    const found = await bundlesIn(fleet);
    expect(found?.map((b) => path.basename(b))).toEqual(['broken.tar.gz', 'gpu-server', 'laptop.tar.gz', 'no-podman']);
    expect(await bundlesIn(path.join(fleet, 'gpu-server'))).toBeNull();
    expect(await bundlesIn(path.join(fleet, 'laptop.tar.gz'))).toBeNull();
  });

  it("gives each machine's platform, GPU, driver, what it would boot and what blocks it", async () => {
    const rows = await fleetRows((await bundlesIn(fleet))!);
    const byName = Object.fromEntries(rows.map((r) => [r.bundle, r]));
    expect(byName['gpu-server']).toMatchObject({
      platform: expect.stringMatching(/^linux \(Debian/),
      arch: 'x86_64',
      gpu: 'NVIDIA A10 (+1)',
      driver: 'nvidia-open 565.57.01',
      boots: { way: 'linux', image: 'fedora/x86_64', gpuMode: expect.any(String), gpuReason: expect.any(String) },
      blocks: [],
    });
    expect(byName['laptop.tar.gz']).toMatchObject({ platform: 'windows', boots: { way: 'wsl2' } });
    expect(byName['laptop.tar.gz']!.gpu).toMatch(/RTX 3080/);
    expect(byName['no-podman']).toMatchObject({ gpu: null, boots: { way: 'linux', gpuMode: 'none' } });
    expect(byName['no-podman']!.blocks.join(' ')).toMatch(/Podman/i);
    expect(byName['broken.tar.gz']).toMatchObject({ boots: null, blocks: [expect.any(String)] });

    const text = renderFleet(rows);
    expect(text.split('\n')[0]).toMatch(/^BUNDLE\s+PLATFORM\s+GPU\s+DRIVER\s+WAY\s+IMAGE\s+GPU MODE\s+BLOCKED BY$/);
    expect(text).toMatch(/gpu-server .*NVIDIA A10 \(\+1\).*nvidia-open 565\.57\.01.*linux .*fedora\/x86_64.*nothing/);
    expect(text).toContain(`${rows.filter((r) => !r.blocks.length).length} of 4 machines can boot an appliance.`);
  });

  it('switches `ai-way doctor --bundle DIR` to the table, and --json to rows', () => {
    const text = spawnSync(process.execPath, [BIN, 'doctor', '--bundle', fleet], { encoding: 'utf8' });
    expect(text.stdout).toMatch(/^BUNDLE /);
    expect(text.status).toBe(4); // a machine is blocked
    const json = spawnSync(process.execPath, [BIN, 'doctor', '--bundle', fleet, '--json'], { encoding: 'utf8' });
    const out = JSON.parse(json.stdout);
    expect(out.schema).toBe(1);
    expect(out.machines.map((m: { bundle: string }) => m.bundle)).toEqual(['broken.tar.gz', 'gpu-server', 'laptop.tar.gz', 'no-podman']);
    const one = spawnSync(process.execPath, [BIN, 'doctor', '--bundle', path.join(fleet, 'gpu-server'), '--json'], { encoding: 'utf8' });
    expect(JSON.parse(one.stdout).source).toEqual({ kind: 'bundle', bundle: path.join(fleet, 'gpu-server') });
  });
});
