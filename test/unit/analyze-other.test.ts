// Whole-host analysis on WSL2, Windows and macOS, from recorded outputs of real machines.
import { describe, expect, it } from 'vitest';
import { analyzeHost } from '../../platforms/host/analyze.ts';
import { chooseImage } from '../../appliance/image-policy.ts';
import { makePlan } from '../../appliance/plan.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import { artifacts, fixture, type HostSpec } from '../support/artifacts.ts';

const utf16 = (bytes: Uint8Array) => new Uint8Array(Buffer.from(new TextDecoder().decode(bytes), 'utf16le'));
const prereq = (r: ReturnType<typeof analyzeHost>, id: string) => r.prerequisites.find((p) => p.id === id)!;

describe('inside WSL2', () => {
  const wsl2 = (smi: HostSpec['commands']) =>
    analyzeHost(
      artifacts({
        host: { release: '5.15.133.1-microsoft-standard-WSL2' },
        files: { '/proc/version': fixture('proc-version-wsl', 'wsl2-5-4-72') },
        devices: ['/dev/dxg'],
        commands: { 'podman-version': fixture('podman-version', 'debian-12-4-3-1'), ...smi },
      }),
    );

  it('an NVIDIA GPU shared by Windows is usable, through /dev/dxg, on Fedora', () => {
    const r = wsl2({ 'nvidia-smi': fixture('nvidia-smi-wsl', 'rtx4060ti-545-23-07-xwayland') });
    expect(r.host.platform).toBe('wsl2');
    expect(r.gpus).toHaveLength(1);
    expect(r.gpus[0]).toMatchObject({
      vendor: 'nvidia',
      model: 'NVIDIA GeForce RTX 4060 Ti',
      vramBytes: 8188 * 1024 ** 2,
      driver: { name: 'nvidia-wsl', version: '546.12' },
      cudaVersion: '12.3',
      usable: true,
    });
    expect(chooseImage(r).flavor).toBe('fedora');
    expect(makePlan(ADAPTERS, r).gpu).toMatchObject({ mode: 'wsl', vendor: 'nvidia' });
  });

  it('"GPU access blocked" makes it unusable, with a fix', () => {
    const r = wsl2({ 'nvidia-smi': { out: fixture('nvidia-smi-wsl', 'err-gpu-access-blocked'), exit: 255 } });
    expect(r.gpus[0]).toMatchObject({ vendor: 'nvidia', usable: false, reason: expect.stringContaining('blocks GPU access') });
    expect(prereq(r, 'gpu-driver')).toMatchObject({ ok: false, fixCommand: 'wsl --update' });
    expect(chooseImage(r).flavor).toBe('alpine');
  });
});

describe('inside WSL1', () => {
  it('is Linux that cannot run the appliance, with the conversion command', () => {
    const r = analyzeHost(
      artifacts({
        host: { release: '4.4.0-19041-Microsoft' },
        files: { '/proc/version': fixture('proc-version-wsl', 'wsl1-4-4-0-19041') },
      }),
    );
    expect(r.host).toMatchObject({ platform: 'linux', wslVersion: 1 });
    expect(prereq(r, 'wsl')).toMatchObject({ ok: false, required: true, fixCommand: 'wsl --set-version <distribution name> 2' });
  });
});

describe('Windows', () => {
  const windows = (commands: HostSpec['commands']) =>
    analyzeHost(
      artifacts({
        host: { os: 'win32', release: '10.0.22621', env: { PROCESSOR_ARCHITECTURE: 'AMD64' } },
        devices: null,
        commands,
      }),
    );

  it('WSL installed (German wsl.exe, UTF-16LE), NVIDIA GPU, hypervisor running', () => {
    const r = windows({
      'wsl-version': utf16(fixture('wsl-version', 'de-1-0-3')),
      'wsl-status': utf16(fixture('wsl-status', 'en-debian-no-kernel-line')),
      'wsl-list-verbose': utf16(fixture('wsl-list-verbose', 'en-single-ubuntu')),
      'nvidia-smi-q-x': fixture('nvidia-smi-q-x', 'windows-wddm-rtx-3080-536-40'),
      systeminfo: fixture('systeminfo', 'en-hyperv-section-hypervisor-detected'),
    });
    expect(r.host).toMatchObject({ platform: 'windows', arch: 'x86_64', virtualization: 'available' });
    expect(r.tools.wsl).toMatchObject({ found: true, installed: true, version: '1.0.3.0', kernelVersion: '5.15.79.1', defaultVersion: 2 });
    expect(r.gpus[0]).toMatchObject({
      vendor: 'nvidia',
      model: 'NVIDIA GeForce RTX 3080',
      driver: { name: 'nvidia-proprietary', version: '536.40' },
      usable: true,
    });
    expect(prereq(r, 'wsl')).toMatchObject({ ok: true });
    expect(prereq(r, 'podman').status).toBe('not-needed');
    expect(chooseImage(r).flavor).toBe('fedora');
    expect(makePlan(ADAPTERS, r)).toMatchObject({ platform: { adapter: 'wsl2' }, gpu: { mode: 'wsl' } });
  });

  it('virtualization off in firmware is a missing prerequisite with a firmware fix', () => {
    const r = windows({ systeminfo: fixture('systeminfo', 'en-server2012-virtualbox-guest-no-vmx') });
    expect(r.host.virtualization).toBe('disabled');
    expect(prereq(r, 'virtualization')).toMatchObject({ ok: false, required: true, fix: expect.stringContaining('firmware') });
  });

  it('old in-box WSL that knows neither --version nor --list --verbose', () => {
    const r = windows({
      'wsl-version': { out: utf16(fixture('wsl-version', 'en-inbox-invalid-option-truncated')), exit: -1 },
      'wsl-list-verbose': { out: utf16(fixture('wsl-list-verbose', 'en-old-build-invalid-option-list')), exit: -1 },
    });
    // Its usage text is the installed WSL's; without --list --verbose it predates WSL 2.
    expect(r.tools.wsl).toMatchObject({ found: true, installed: true, predatesWsl2: true, version: null, distributions: [] });
    expect(prereq(r, 'wsl')).toMatchObject({ ok: false, fix: expect.stringContaining('Windows 10 version 2004 or later') });
  });

  it('Windows on Arm running x64 ai-way is still aarch64', () => {
    expect(
      analyzeHost(
        artifacts({ host: { os: 'win32', arch: 'x64', env: { PROCESSOR_ARCHITECTURE: 'AMD64', PROCESSOR_ARCHITEW6432: 'ARM64' } } }),
      ).host.arch,
    ).toBe('aarch64');
  });
});

describe('macOS', () => {
  it('Intel Mac with two GPUs, no hypervisor support, no Lima', () => {
    const r = analyzeHost(
      artifacts({
        host: { os: 'darwin', arch: 'x64', release: '21.6.0' },
        devices: null,
        commands: {
          'sysctl-machdep.cpu.brand_string': fixture('sysctl-machdep.cpu.brand_string', 'intel-i7-3820qm-n'),
          'sysctl-kern.hv_support': fixture('sysctl-kern.hv_support', 'intel-macbook-unsupported-0'),
          'system_profiler-SPDisplaysDataType': fixture('system_profiler-SPDisplaysDataType', 'intel-hd4000-nvidia-gt650m'),
        },
      }),
    );
    expect(r.host).toMatchObject({
      platform: 'macos',
      arch: 'x86_64',
      virtualization: 'disabled',
      cpuModel: 'Intel(R) Core(TM) i7-3820QM CPU @ 2.70GHz',
    });
    expect(r.gpus.map((g) => [g.vendor, g.model, g.usable])).toEqual([
      ['nvidia', 'NVIDIA GeForce GT 650M', false],
      ['intel', 'Intel HD Graphics 4000', false],
    ]);
    expect(prereq(r, 'lima')).toMatchObject({ ok: false, fixCommand: 'brew install lima' });
    expect(prereq(r, 'virtualization').ok).toBe(false);
    expect(chooseImage(r)).toMatchObject({ flavor: 'alpine', arch: 'x86_64', rule: 'intel-mac' });
    expect(makePlan(ADAPTERS, r)).toMatchObject({ platform: { adapter: 'lima' }, gpu: { mode: 'none' } });
  });

  it('an x64 ai-way under Rosetta on Apple Silicon picks the aarch64 image', () => {
    const r = analyzeHost(
      artifacts({
        host: { os: 'darwin', arch: 'x64' },
        devices: null,
        commands: {
          'sysctl-machdep.cpu.brand_string': fixture('sysctl-machdep.cpu.brand_string', 'apple-m1-pro-rosetta-n'),
          'limactl-version': fixture('limactl-version', '1-0-0'),
        },
      }),
    );
    expect(r.host).toMatchObject({ platform: 'macos', arch: 'aarch64', virtualization: 'available' });
    expect(chooseImage(r)).toMatchObject({ flavor: 'alpine', arch: 'aarch64', rule: 'apple-silicon' });
  });
});

describe('Windows, less recorded', () => {
  // Two real recordings from different machines, put together to exercise the merge: nvidia-smi's
  // table cuts the name, Windows' adapter list has it whole.
  it("a truncated nvidia-smi name is completed from Windows' adapter list; WSL 2 distributions imply virtualization", () => {
    const r = analyzeHost(
      artifacts({
        host: { os: 'win32' },
        devices: null,
        commands: {
          'nvidia-smi': fixture('nvidia-smi', 'kmd-610-43-03-rtx-3080-laptop-head'),
          'win32-videocontroller': fixture('win32-videocontroller', 'wmi-fl-star-gtx-1660-head'),
          'wsl-list-verbose': utf16(fixture('wsl-list-verbose', 'en-single-ubuntu')),
        },
      }),
    );
    expect(r.gpus).toHaveLength(1);
    expect(r.gpus[0]).toMatchObject({
      model: 'NVIDIA GeForce GTX 1660',
      vramBytes: 16384 * 1024 ** 2,
      driver: { name: 'nvidia-proprietary', version: '610.43.03' },
    });
    expect(r.host.virtualization).toBe('available');
  });

  it('an Intel-only laptop lists its adapter, not usable for the appliance', () => {
    const r = analyzeHost(
      artifacts({
        host: { os: 'win32' },
        devices: null,
        commands: { 'win32-videocontroller': fixture('win32-videocontroller', 'fl-star-intel-uhd-head') },
      }),
    );
    expect(r.gpus.map((g) => [g.vendor, g.model, g.usable])).toEqual([['intel', 'Intel(R) UHD Graphics', false]]);
  });
});
