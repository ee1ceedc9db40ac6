// GPU passthrough from recorded hosts: which nodes and driver files each GPU needs, the CDI spec
// made of them (checked against the CDI rules), and the engine flags. Every host listing here is a
// recorded `ls -l` (test/contract/fixtures/*/SOURCES.md); where one host's recordings did not cover
// everything, recordings of other real hosts fill in, as each test says.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeHost } from '../../platforms/host/analyze.ts';
import { drmNodesByBus, gpuAccess } from '../../platforms/host/analyze/gpu-access.ts';
import { parseArtifacts } from '../../platforms/host/parsed.ts';
import { nvidiaEvidence, type NvidiaEvidence } from '../../platforms/host/vendors/nvidia/evidence.ts';
import { nvidiaAccess } from '../../platforms/host/vendors/nvidia/files.ts';
import { amd as amdVendor } from '../../platforms/host/vendors/amd/index.ts';
import type { Artifacts } from '../../platforms/host/artifacts.ts';
import { buildCdiSpec, editsFor, GPU_LIBRARY_DIR, NoGpuError } from '../../appliance/cdi.ts';
import { cdiProblems, minimumCdiVersion } from '../../appliance/cdi-rules.ts';
import { makePlan } from '../../appliance/plan.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import { gpuArgs } from '../../appliance/engines/podman.ts';
import type { GpuReport } from '../../platforms/host/report.ts';
import { artifacts, fixture, fromLsLong } from '../support/artifacts.ts';
import { FIXTURES } from '../contract/fixtures.ts';
import { parseYamlSubset } from '../support/yaml-subset.ts';
import { toYaml } from '../../appliance/yaml.ts';
import { boltfile } from '../../appliance/boltfile.ts';
import { loadAppliance } from '../../launcher/appliance-source.ts';
import { parse as parseToml, stringify as toToml } from 'smol-toml';

const text = (artifact: string, name: string) => new TextDecoder().decode(fixture(artifact, name));
const ls = (artifact: string, name: string, dir = '') => fromLsLong(text(artifact, name), dir);
const merge = (...parts: { devices: string[]; listing: string[] }[]) => ({
  devices: parts.flatMap((p) => p.devices),
  listing: parts.flatMap((p) => p.listing),
});

/** What NVIDIA's module passes for these GPUs, its evidence as recorded on the host but for the given facts. */
function nvidiaFiles(a: Artifacts, gpus: GpuReport[], facts: Partial<NvidiaEvidence>, notes: string[]) {
  const p = parseArtifacts(a);
  return nvidiaAccess(p, { ...nvidiaEvidence(p, []), ...facts }, gpus, drmNodesByBus(p.listing, p.mayHave), notes);
}

/** Every spec made in this file must pass the CDI rules and declare its minimum version. */
function checked<T extends object>(spec: T): T {
  expect(cdiProblems(spec)).toEqual([]);
  expect((spec as { cdiVersion: string }).cdiVersion).toBe(minimumCdiVersion(spec));
  expect(JSON.stringify(spec)).not.toContain('hooks'); // nothing runs in the guest at creation
  return spec;
}

describe("nvidia-ctk's spec of a real 575.64.03 host, read back as that host's listing", () => {
  // The spec names every file and node nvidia-ctk found there; its hooks name the links.
  const ctk = parseYamlSubset(readFileSync(path.join(FIXTURES, 'cdi-spec', 'nvidia-ctk-1-17-8-575-64-03-single-gpu.out'), 'utf8')) as any;
  const edits = [ctk.containerEdits, ...ctk.devices.map((d: any) => d.containerEdits)];
  const devices = [...new Set(edits.flatMap((e: any) => (e.deviceNodes ?? []).map((n: any) => n.path as string)))] as string[];
  const links = edits
    .flatMap((e: any) => e.hooks ?? [])
    .flatMap((h: any) => h.args.flatMap((a: string, i: number) => (h.args[i - 1] === '--link' ? [a] : [])))
    .map((a: string) => {
      const [target, link] = a.split('::');
      return `${link} -> ${target}`;
    });
  const files = ctk.containerEdits.mounts.map((m: any) => m.hostPath as string);
  const a = artifacts({ devices });
  a.listing = [...files, ...links];
  const gpu: GpuReport = {
    vendor: 'nvidia',
    model: null,
    vramBytes: null,
    pciBusId: '0000:84:00.0',
    uuid: 'GPU-520e01f2-cf30-6396-abef-e8e9a5233b0e',
    driver: { name: 'nvidia-proprietary', version: '575.64.03' },
    cudaVersion: null,
    rocmVersion: null,
    usable: true,
    verdict: 'ready',
    reason: '',
    deviceNodes: [],
  };
  const smi = { index: 0, model: null, uuid: gpu.uuid, pciBusId: gpu.pciBusId, vramBytes: null, minor: 0 };
  const drivers = nvidiaFiles(a, [gpu], { gpus: [smi], driverVersion: '575.64.03', moduleVersion: '575.64.03' }, []);

  it('finds the same device nodes for the GPU (by minor and by PCI address) and the same shared ones', () => {
    expect(gpu.deviceNodes).toEqual(['/dev/nvidia0', '/dev/dri/card1', '/dev/dri/renderD128']);
    expect(drivers!.nodes.sort()).toEqual(['/dev/nvidia-modeset', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidiactl']);
  });
  it('passes every library of that exact version from the standard folder that nvidia-ctk passes', () => {
    const ours = drivers!.libraries.map((l) => l.path);
    const theirs = files.filter((f: string) => /^\/usr\/lib\/x86_64-linux-gnu\/lib[^/]*\.so\.575\.64\.03$/.test(f));
    expect(ours.sort()).toEqual(theirs.sort());
    // Libraries versioned on their own (egl-gbm 1.1.2, egl-wayland 1.1.19) are not the driver's.
    expect(ours.some((p) => p.includes('egl-wayland'))).toBe(false);
    // libcuda.so -> libcuda.so.1 is in the listing, but not libcuda.so.1 -> the real file: only the real name.
    expect(drivers!.libraries.find((l) => l.path.endsWith('libcuda.so.575.64.03'))!.names).toEqual(['libcuda.so.575.64.03']);
  });
  it('passes nvidia-smi, the GSP firmware of that version, and the Vulkan/EGL vendor files', () => {
    expect(drivers!.files).toEqual(
      expect.arrayContaining([
        '/usr/bin/nvidia-smi',
        '/lib/firmware/nvidia/575.64.03/gsp_ga10x.bin',
        '/lib/firmware/nvidia/575.64.03/gsp_tu10x.bin',
        '/usr/share/vulkan/icd.d/nvidia_icd.json',
        '/usr/share/glvnd/egl_vendor.d/10_nvidia.json',
      ]),
    );
    // Tools the appliance has no use for (MPS, persistenced, debugdump) and X.org files stay out.
    expect(drivers!.files.join(' ')).not.toMatch(/mps|persistenced|debugdump|xorg/);
  });
  it('makes a valid spec with the devices nvidia-ctk names (0, the UUID, all) and no hooks', () => {
    const spec = checked(
      buildCdiSpec(
        {
          host: { platform: 'linux', arch: 'x86_64', memBytes: null, cpus: null },
          gpus: [gpu],
          gpuDrivers: [drivers!],
          tools: { bolt: { found: false, version: null } },
        },
        'nvidia',
      ),
    );
    expect(spec.devices.map((d) => d.name)).toEqual(ctk.devices.map((d: any) => d.name));
    expect(spec.cdiVersion).toBe('0.5.0'); // a device name that starts with a digit needs 0.5.0, as nvidia-ctk declares
    expect(spec.containerEdits!.env).toEqual([`LD_LIBRARY_PATH=${GPU_LIBRARY_DIR}`]);
    expect(
      spec.containerEdits!.mounts!.every((m) => m.options.includes('ro') && m.options.includes('nosuid') && m.options.includes('nodev')),
    ).toBe(true);
    expect(spec.devices.flatMap((d) => d.containerEdits.deviceNodes ?? []).every((n) => n.permissions === 'rw')).toBe(true);
  });
  it('the reference spec itself passes the CDI rules (hooks and all), and its declared version is its minimum', () => {
    expect(cdiProblems(ctk)).toEqual([]);
    expect(minimumCdiVersion(ctk)).toBe(ctk.cdiVersion);
  });
});

describe('driver libraries from recorded listings', () => {
  const libsOf = (listing: string[], version: string, arch = 'x64') => {
    const a = artifacts({ host: { arch }, devices: ['/dev/nvidia0', '/dev/nvidiactl'] });
    a.listing = listing;
    const gpu = { vendor: 'nvidia', usable: true, pciBusId: null, uuid: null, deviceNodes: [] } as unknown as GpuReport;
    const notes: string[] = [];
    return { drivers: nvidiaFiles(a, [gpu], { driverVersion: version }, notes)!, notes };
  };

  it('550.90.07 (ll /lib/x86_64-linux-gnu): libcuda and libnvidia-ml under all their names; ICU is not CUDA', () => {
    const listing = [
      ...ls('ls-l-nvidia-libs', 'driver-550-90-07-ll-lib-x86-64-grep-cuda', '/lib/x86_64-linux-gnu').listing,
      ...ls('ls-l-nvidia-libs', 'driver-550-90-07-ll-lib-x86-64-grep-libnvidia-ml', '/lib/x86_64-linux-gnu').listing,
    ];
    expect(libsOf(listing, '550.90.07').drivers.libraries).toEqual([
      { path: '/lib/x86_64-linux-gnu/libcuda.so.550.90.07', names: ['libcuda.so', 'libcuda.so.1', 'libcuda.so.550.90.07'] },
      { path: '/lib/x86_64-linux-gnu/libcudadebugger.so.550.90.07', names: ['libcudadebugger.so.1', 'libcudadebugger.so.550.90.07'] },
      {
        path: '/lib/x86_64-linux-gnu/libnvidia-ml.so.550.90.07',
        names: ['libnvidia-ml.so', 'libnvidia-ml.so.1', 'libnvidia-ml.so.550.90.07'],
      },
    ]);
  });
  it('418.67 (ls -la libnvidia*): only files of the running version, each with its soname', () => {
    const { drivers } = libsOf(
      ls('ls-l-nvidia-libs', 'proprietary-418-67-ubuntu1804-ppc64le-v100-libnvidia-glob', '/usr/lib/powerpc64le-linux-gnu').listing,
      '418.67',
    );
    expect(drivers.libraries.map((l) => path.posix.basename(l.path))).toHaveLength(13);
    expect(drivers.libraries.find((l) => l.path.endsWith('libnvidia-ptxjitcompiler.so.418.67'))!.names).toEqual([
      'libnvidia-ptxjitcompiler.so',
      'libnvidia-ptxjitcompiler.so.1',
      'libnvidia-ptxjitcompiler.so.418.67',
    ]);
    expect(drivers.libraries.some((l) => l.path.includes('egl-wayland'))).toBe(false);
  });
  it('another driver version on disk than the one running: nothing is passed, and the note says why', () => {
    const { drivers, notes } = libsOf(
      ls('ls-l-nvidia-libs', 'driver-550-90-07-ll-lib-x86-64-grep-libnvidia-ml', '/lib/x86_64-linux-gnu').listing,
      '565.57.01',
    );
    expect(drivers.libraries).toEqual([]);
    expect(notes.join(' ')).toContain('no library of the NVIDIA driver 565.57.01');
  });
  it("a container with the toolkit's injected files (full paths, no .so link) still resolves the soname", () => {
    const { drivers } = libsOf(
      ls('ls-l-nvidia-libs', 'k8s-gpu-operator-container-550-127-05-libnvidia-ml-glob-no-so-symlink').listing,
      '550.127.05',
    );
    expect(drivers.libraries).toEqual([
      { path: '/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.550.127.05', names: ['libnvidia-ml.so.1', 'libnvidia-ml.so.550.127.05'] },
    ]);
  });
});

describe('device nodes of recorded hosts', () => {
  it('two RTX A5000 whose minors run against PCI order (81:00.0 is minor 1): each GPU its own node, named by PCI order', () => {
    // The node listing is from a 4-GPU workstation (ls -l /dev/nvidia*): the minors pick two of its four nodes.
    const host = merge(ls('ls-l-dev-nvidia', 'proprietary-384-66-4x-gtx1080ti-workstation'));
    const a = artifacts({ devices: host.devices, commands: { 'nvidia-smi-q-x': fixture('nvidia-smi-q-x', 'dual-rtx-a5000-590-44-01') } });
    a.listing = host.listing;
    const r = analyzeHost(a);
    expect(r.gpus.map((g) => [g.pciBusId, g.deviceNodes])).toEqual([
      ['0000:81:00.0', ['/dev/nvidia1']],
      ['0000:c1:00.0', ['/dev/nvidia0']],
    ]);
    expect(r.gpuDrivers[0]!.nodes).toEqual(['/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools']); // no nvidia-modeset there
    const spec = checked(buildCdiSpec(r, 'nvidia'));
    expect(spec.devices.map((d) => d.name)).toEqual(['0', r.gpus[0]!.uuid, '1', r.gpus[1]!.uuid, 'all']);
    expect(spec.devices[0]!.containerEdits.deviceNodes).toEqual([{ path: '/dev/nvidia1', permissions: 'rw' }]);
    expect(spec.devices.at(-1)!.containerEdits.deviceNodes!.map((n) => n.path)).toEqual(['/dev/nvidia1', '/dev/nvidia0']);
    expect(r.notes.join(' ')).toContain('no library of the NVIDIA driver 590.44.01'); // no library listing was recorded there
  });
  it('an H100 whose driver gives minor 5 on a node that shows only /dev/nvidia6: not passed, and said so', () => {
    // The /proc information is from an H100 host (535.129.03); the listing from a pod on another H100 node.
    const host = ls('ls-l-dev-nvidia', 'k8s-cdi-pod-575-57-08-h100-node-single-nvidia6');
    const a = artifacts({
      devices: host.devices,
      files: {
        '/proc/driver/nvidia/gpus/0000:62:00.0/information': fixture(
          'proc-driver-nvidia-gpu-information',
          'h100-80gb-hbm3-535-129-03-spaces',
        ),
      },
    });
    const r = analyzeHost(a);
    expect(r.gpus[0]).toMatchObject({ model: 'NVIDIA H100 80GB HBM3', deviceNodes: [] });
    expect(r.notes.join(' ')).toContain('/dev/nvidia5 is missing');
    expect(() => buildCdiSpec(r, 'nvidia')).toThrow(NoGpuError);
    const plan = makePlan(ADAPTERS, r);
    expect(plan.gpu).toMatchObject({ mode: 'none', cdi: null });
    expect(plan.gpu.reason).toContain('device nodes were not found');
  });
  it('a hybrid laptop (Intel i915 + NVIDIA): DRM nodes by PCI address, the Intel GPU passed by its render node', () => {
    // lspci -k from a Dell XPS 15 (00:02.0 Intel, 01:00.0 NVIDIA); /dev/dri, by-path links too, from a CachyOS laptop, same addresses.
    const dri = merge(
      ls('ls-l-dev-dri', 'hybrid-intel-nvidia-cachyos-6-16-4-lathn-numeric-time-sorted', '/dev/dri'),
      ls('ls-l-dev-dri-by-path', 'hybrid-intel-nvidia-cachyos-6-16-4-lathn-numeric-time-sorted', '/dev/dri/by-path'),
    );
    const a = artifacts({
      devices: dri.devices,
      commands: { 'lspci-nnk': fixture('lspci-k', 'laptop-intel-i915-nvidia-rtx3050-domain-grep-a5') },
    });
    a.listing = dri.listing;
    const r = analyzeHost(a);
    const byVendor = Object.fromEntries(r.gpus.map((g) => [g.vendor, g]));
    expect(byVendor.intel).toMatchObject({
      pciBusId: '0000:00:02.0',
      deviceNodes: ['/dev/dri/card0', '/dev/dri/renderD129'],
      usable: true,
    });
    expect(byVendor.nvidia).toMatchObject({
      pciBusId: '0000:01:00.0',
      deviceNodes: ['/dev/dri/card1', '/dev/dri/renderD128'],
      usable: false,
    });
    const plan = makePlan(ADAPTERS, r);
    expect(plan.gpu).toMatchObject({ mode: 'cdi', vendor: 'intel' });
    const spec = checked(plan.gpu.cdi!.spec);
    expect(spec.kind).toBe('intel.com/gpu');
    expect(editsFor(spec, ['all']).deviceNodes.map((n) => n.path)).toEqual(['/dev/dri/card0', '/dev/dri/renderD129']);
  });
  it("a 12-GPU AMD rig behind PCIe switches: the kernel's /sys/class/drm links give each GPU its card node", () => {
    // Truncated recording: card0, card1, card10 and card11 only. GPUs as the analysis reports them, by PCI address.
    const a = artifacts({ devices: null });
    a.listing = ls('ls-l-sys-class-drm', 'mining-rig-12-amd-amdgpu-pro-amdttm-truncated', '/sys/class/drm').listing;
    const amd = (bus: string) =>
      ({ vendor: 'amd', usable: true, pciBusId: bus, uuid: null, model: null, deviceNodes: [] }) as unknown as GpuReport;
    const gpus = ['0000:04:00.0', '0000:05:00.0', '0000:13:00.0', '0000:06:00.0'].map(amd);
    const notes: string[] = [];
    const p = parseArtifacts(a);
    const amdAnalysis = amdVendor.analyze!({ p, platform: 'linux', pci: [], controllers: [], displays: [], notes })!;
    gpuAccess(p, 'linux', gpus, new Map([['amd', amdAnalysis]]), notes);
    expect(gpus.map((g) => g.deviceNodes)).toEqual([['/dev/dri/card0'], ['/dev/dri/card1'], ['/dev/dri/card11'], []]);
    expect(notes).toContain('no device node of 0000:06:00.0 was found (neither /dev/dri/by-path nor /sys/class/drm names it)');
  });
  it('WSL2: one "all" device with /dev/dxg and the libraries Windows shares, found by the loader', () => {
    const wsl = ls('ls-usr-lib-wsl-lib', 'libcuda-glob');
    const a = artifacts({
      devices: ['/dev/dxg'],
      files: { '/proc/version': fixture('proc-version-wsl', 'wsl2-5-4-72') },
      commands: { 'nvidia-smi': fixture('nvidia-smi-wsl', 'rtx4060ti-545-23-07-xwayland') },
    });
    a.listing = wsl.listing;
    const r = analyzeHost(a);
    const spec = checked(makePlan(ADAPTERS, r, { image: 'fedora', gpu: 'auto' }).gpu.cdi!.spec);
    expect(spec.devices).toEqual([
      {
        name: 'all',
        containerEdits: {
          env: ['LD_LIBRARY_PATH=/usr/lib/wsl/lib'],
          deviceNodes: [{ path: '/dev/dxg', permissions: 'rw' }],
          mounts: [{ hostPath: '/usr/lib/wsl/lib', containerPath: '/usr/lib/wsl/lib', options: ['ro', 'nosuid', 'nodev', 'bind'] }],
        },
      },
    ]);
    expect(spec.cdiVersion).toBe('0.3.0');
  });
});

describe('engine flags', () => {
  const spec = buildCdiSpec(
    {
      host: { platform: 'linux', arch: 'x86_64', memBytes: null, cpus: null },
      gpus: [
        {
          vendor: 'amd',
          model: null,
          usable: true,
          pciBusId: '0000:03:00.0',
          uuid: null,
          deviceNodes: ['/dev/dri/card1', '/dev/dri/renderD128'],
        },
      ],
      gpuDrivers: [{ vendor: 'amd', wsl: false, nodes: ['/dev/kfd'], libraries: [], files: [], folders: [], version: null }],
      tools: { bolt: { found: false, version: null } },
    },
    'amd',
  );
  it('rootful: the installed spec by device name', () => {
    expect(gpuArgs({ kind: 'ai-way-0123456789ab.local/gpu', devices: ['all'], edits: editsFor(spec, ['all']) })).toEqual([
      '--device',
      'ai-way-0123456789ab.local/gpu=all',
    ]);
  });
  it('rootless: the same edits as flags, nodes without mknod, mounts read-only', () => {
    expect(gpuArgs({ kind: null, devices: ['0'], edits: editsFor(checked(spec), ['0']) })).toEqual([
      '--device',
      '/dev/kfd:/dev/kfd:rw',
      '--device',
      '/dev/dri/card1:/dev/dri/card1:rw',
      '--device',
      '/dev/dri/renderD128:/dev/dri/renderD128:rw',
    ]);
  });
});

describe('the CDI rules', () => {
  const base = {
    cdiVersion: '0.3.0',
    kind: 'vendor.com/gpu',
    devices: [{ name: 'all', containerEdits: { deviceNodes: [{ path: '/dev/x' }] } }],
  };
  it.each([
    ['an unknown key', { ...base, extra: 1 }, 'spec.extra'],
    ['a kind without a class', { ...base, kind: 'vendor.com' }, 'kind'],
    ['a class with a dot under 0.3.0 (it needs 0.6.0)', { ...base, kind: 'vendor.com/g.pu' }, 'cdiVersion'],
    ['a class ending in a dash', { ...base, kind: 'vendor.com/gpu-' }, 'kind'],
    ['a device without edits', { ...base, devices: [{ name: 'all', containerEdits: {} }] }, 'devices[0].containerEdits'],
    ['a device named twice', { ...base, devices: [base.devices[0], base.devices[0]] }, 'devices[1].name'],
    ['a device name with a slash', { ...base, devices: [{ ...base.devices[0], name: 'a/b' }] }, 'devices[0].name'],
    ['a name starting with a digit under 0.3.0', { ...base, devices: [{ ...base.devices[0], name: '0' }] }, 'cdiVersion'],
    ['an unknown version', { ...base, cdiVersion: '0.9.0' }, 'cdiVersion'],
    ['annotations under 0.5.0 (they need 0.6.0)', { ...base, cdiVersion: '0.5.0', annotations: { 'a.io/b': 'c' } }, 'cdiVersion'],
    [
      'a relative mount',
      { ...base, containerEdits: { mounts: [{ hostPath: 'lib', containerPath: '/lib' }] } },
      'containerEdits.mounts[0].hostPath',
    ],
    [
      'permissions beyond rwm',
      { ...base, devices: [{ name: 'all', containerEdits: { deviceNodes: [{ path: '/dev/x', permissions: 'rwx' }] } }] },
      'permissions',
    ],
    ['env without a value', { ...base, containerEdits: { env: ['PATH'] } }, 'containerEdits.env[0]'],
  ])('rejects %s', (_, spec, place) => {
    expect(cdiProblems(spec).join('\n')).toContain(place);
  });
  it('accepts the smallest valid spec', () => expect(cdiProblems(base)).toEqual([]));
});

describe('YAML output', () => {
  it('reads back as the same spec (a YAML reader of the block style CDI tools write)', () => {
    const ctkText = readFileSync(path.join(FIXTURES, 'cdi-spec', 'nvidia-ctk-1-17-8-575-64-03-single-gpu.out'), 'utf8');
    const ctk = parseYamlSubset(ctkText);
    expect(parseYamlSubset(toYaml(ctk as never))).toEqual(ctk);
    expect(toYaml(ctk as never)).toContain('name: "0"'); // a bare 0 would read back as a number
  });
});

describe('Boltfile', () => {
  it("carries the GPU as nodes, read-only mounts and Bolt's gaming.gpu and nvbind tables, with every key Bolt requires", async () => {
    const host = ls('ls-l-dev-nvidia', 'proprietary-384-66-4x-gtx1080ti-workstation');
    const a = artifacts({ devices: host.devices, commands: { 'nvidia-smi-q-x': fixture('nvidia-smi-q-x', 'dual-rtx-a5000-590-44-01') } });
    const plan = makePlan(ADAPTERS, analyzeHost(a), { image: 'auto', gpu: 'auto' }, await loadAppliance('ai-way'));
    expect(plan.image).toMatchObject({ flavor: 'fedora', rule: 'nvidia' });
    const doc = parseToml(toToml(boltfile({ ...plan, appliance: plan.appliance! }))) as any;
    const service = doc.services[doc.project];
    expect(service).toMatchObject({ network_mode: 'none', read_only: true, cap_drop: ['ALL'] });
    expect(service.devices).toEqual(
      expect.arrayContaining(['/dev/nvidia0:/dev/nvidia0:rw', '/dev/nvidia1:/dev/nvidia1:rw', '/dev/nvidiactl:/dev/nvidiactl:rw']),
    );
    // Bolt's GamingConfig requires these six booleans; GpuConfig's nvbind table takes driver, devices,
    // wsl2_optimized, performance_mode, preload_libraries.
    expect(Object.keys(service.gaming)).toEqual(
      expect.arrayContaining(['enabled', 'gpu_passthrough', 'nvidia_runtime', 'amd_runtime', 'audio_passthrough', 'real_time_priority']),
    );
    expect(service.gaming.gpu.nvbind).toEqual({
      driver: 'auto',
      devices: ['gpu:all'],
      wsl2_optimized: false,
      performance_mode: 'balanced',
      preload_libraries: false,
    });
    expect(service.gaming.gpu.nvidia).toMatchObject({ device: 0, cuda: true });
  });
});
