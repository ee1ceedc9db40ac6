// Bundles of one recorded artifact each, and the facts a person reads from that artifact alone,
// taken from the fixture's own .expect.json. What the host report must say of such a bundle.
import type { HostSpec } from './artifacts.ts';
import { asUtf16le, fixtureCases, type FixtureCase } from '../contract/fixtures.ts';
import type { GpuReport, HostReport } from '../../platforms/host/report.ts';

export interface Fact {
  name: string;
  expected: unknown;
  actual: (r: HostReport) => unknown;
}

export interface AloneCase {
  /** "<artifact folder>/<case>" */
  name: string;
  spec: HostSpec;
  facts: Fact[];
}

const MiB = 1024 ** 2;
type Expect = Record<string, any>;
type Placement = (c: FixtureCase) => HostSpec;

// A bundle as the probe writes it: host.json with the OS, and nothing else unless placed.
const linux = { os: 'linux', arch: 'x64' } as const;
const darwin = { os: 'darwin', arch: 'x64' } as const;
const win32 = { os: 'win32', arch: 'x64' } as const;
const bare = (host: HostSpec['host']): HostSpec => ({ host: { ...host, totalMemBytes: undefined, cpus: undefined }, devices: null });

/** The recorded run as the bundle keeps it: .out, and .err/.exit only where they were recorded. */
const run = (c: FixtureCase, out: Uint8Array = c.bytes) => ({
  out,
  ...(c.err ? { err: c.err } : {}),
  ...(c.exit === null ? {} : { exit: c.exit }),
});
const command =
  (name: string, host: HostSpec['host'] = linux): Placement =>
  (c) => ({ ...bare(host), commands: { [name]: run(c) } });
const wslCommand =
  (name: string): Placement =>
  (c) => ({ ...bare(win32), commands: { [name]: run(c, asUtf16le(c.out)) } });
const file =
  (path: (c: FixtureCase) => string): Placement =>
  (c) => ({ ...bare(linux), files: { [path(c)]: c.bytes } });

const PLACES: Record<string, Placement> = {
  'nvidia-smi': command('nvidia-smi'),
  'nvidia-smi-wsl': command('nvidia-smi'),
  'nvidia-smi-L': command('nvidia-smi-L'),
  'nvidia-smi-q-x': command('nvidia-smi-q-x'),
  'modinfo-nvidia': command('modinfo-nvidia'),
  'modinfo-F-version-nvidia': command('modinfo-nvidia'), // `modinfo nvidia` says the same of a missing module
  'lspci-k': command('lspci-nnk'),
  'lspci-nn': command('lspci-nnk'),
  'lspci-nnk': command('lspci-nnk'),
  'lspci-vnn': command('lspci-nnk'),
  rocminfo: command('rocminfo'),
  'proc-driver-nvidia-version': file(() => '/proc/driver/nvidia/version'),
  'proc-driver-nvidia-gpu-information': file((c) => `/proc/driver/nvidia/gpus/${c.expect.gpus[0].pciBusId}/information`),
  'sys-pci-uevent': file((c) => `/sys/bus/pci/devices/${c.expect.pciBusId}/uevent`),
  'etc-os-release': file(() => '/etc/os-release'),
  'proc-cpuinfo': file(() => '/proc/cpuinfo'),
  'proc-version-wsl': file(() => '/proc/version'),
  'uname-r-wsl': (c) => bare({ ...linux, release: c.out.trim() }),
  'podman-version': command('podman-version'),
  'podman-version-block': command('podman-version'),
  'podman-info-json': command('podman-info-json'),
  'qemu-version': command('qemu-version'),
  'limactl-version': command('limactl-version', darwin),
  'limactl-list-json': command('limactl-list-json', darwin),
  'sysctl-kern.hv_support': command('sysctl-kern.hv_support', darwin),
  'sysctl-machdep.cpu.brand_string': command('sysctl-machdep.cpu.brand_string', darwin),
  'system_profiler-SPDisplaysDataType': command('system_profiler-SPDisplaysDataType', darwin),
  systeminfo: command('systeminfo', win32),
  'win32-videocontroller': command('win32-videocontroller', win32),
  'wsl-version': wslCommand('wsl-version'),
  'wsl-status': wslCommand('wsl-status'),
  'wsl-list-verbose': wslCommand('wsl-list-verbose'),
  'ldconfig-p-grep-nvidia': command('ldconfig-p'),
};

const fact = (name: string, expected: unknown, actual: (r: HostReport) => unknown): Fact => ({ name, expected, actual });
const prereq = (r: HostReport, id: string) => r.prerequisites.find((p) => p.id === id)?.status;

function gpuFacts(gpus: Expect[], vendorOf: (g: Expect) => string | undefined): Fact[] {
  const facts: Fact[] = [fact('GPU count', gpus.length, (r) => r.gpus.length)];
  gpus.forEach((g, i) => {
    // By PCI address where the artifact names one; else the n-th of its maker, as the report lists them.
    const vendor = vendorOf(g);
    const nth = gpus.slice(0, i).filter((o) => vendorOf(o) === vendor).length;
    const at = (r: HostReport): GpuReport | undefined =>
      g.pciBusId
        ? r.gpus.find((x) => x.pciBusId === g.pciBusId)
        : r.gpus.filter((x) => vendor === undefined || x.vendor === vendor)[vendor === undefined ? i : nth];
    const of = (key: string, expected: unknown, read: (x: GpuReport) => unknown) => {
      if (expected !== undefined)
        facts.push(
          fact(`GPU ${i} ${key}`, expected, (r) => {
            const x = at(r);
            return x ? read(x) : 'absent';
          }),
        );
    };
    of('vendor', vendorOf(g), (x) => x.vendor);
    of('model', g.model ?? g.name, (x) => x.model);
    of('PCI address', g.pciBusId, (x) => x.pciBusId);
    of('UUID', g.uuid, (x) => x.uuid);
    const mib = g.vramMiB ?? g.memoryTotalMiB;
    of('VRAM', mib === undefined ? g.vramBytes : mib * MiB, (x) => x.vramBytes);
  });
  return facts;
}

const vendorFromPnp = (g: Expect) =>
  (({ '10DE': 'nvidia', '1002': 'amd', '8086': 'intel' }) as Record<string, string>)[
    /VEN_([0-9A-F]{4})/i.exec(g.pnpDeviceId ?? '')?.[1]?.toUpperCase() ?? ''
  ];
const KERNEL_DRIVER: Record<string, string> = { nouveau: 'nouveau', i915: 'i915', xe: 'xe', amdgpu: 'amdgpu', radeon: 'radeon' };

/** Facts per artifact, read from its .expect.json as a person reads the output. */
const FACTS: Record<string, (e: Expect, c: FixtureCase) => Fact[]> = {
  'nvidia-smi': (e) => nvidiaSmiFacts(e),
  'nvidia-smi-wsl': (e) => nvidiaSmiFacts({ ...e, error: e.nvmlError ?? (e.gpus.length ? undefined : 'no-driver') }),
  'nvidia-smi-L': (e) => [...gpuFacts(e.gpus, () => 'nvidia'), ...usableFacts(e.gpus, true)],
  'nvidia-smi-q-x': (e) => [...gpuFacts(e.gpus, () => 'nvidia'), ...usableFacts(e.gpus, true), ...driverFacts(e.gpus, e.driverVersion)],
  // The module installed on disk: no GPU shown (it may not be loaded), its version noted.
  'modinfo-nvidia': (e) => [
    fact('GPU count', 0, (r) => r.gpus.length),
    fact('driver noted', true, (r) => r.notes.some((n) => n.includes(e.driverVersion) && n.includes(e.flavor))),
  ],
  'modinfo-F-version-nvidia': () => [fact('GPU count', 0, (r) => r.gpus.length)],
  'lspci-k': (e) => lspciFacts(e),
  'lspci-nn': (e) => lspciFacts(e),
  'lspci-nnk': (e) => lspciFacts(e),
  'lspci-vnn': (e) => lspciFacts({ gpus: e.gpus.map((g: Expect) => ({ ...g, model: undefined, name: 'GeForce GT 1030' })) }),
  rocminfo: (e) => {
    const gpus = e.agents.filter((a: Expect) => a.deviceType === 'GPU').map((a: Expect) => ({ model: a.marketingName }));
    return [...gpuFacts(gpus, () => 'amd'), ...usableFacts(gpus, true)];
  },
  'proc-driver-nvidia-version': (e) => [
    fact('GPU count', 1, (r) => r.gpus.length),
    fact('GPU 0 vendor', 'nvidia', (r) => r.gpus[0]?.vendor),
    fact('GPU 0 driver', `nvidia-${e.flavor}`, (r) => r.gpus[0]?.driver.name),
    fact('GPU 0 driver version', e.driverVersion, (r) => r.gpus[0]?.driver.version),
  ],
  'proc-driver-nvidia-gpu-information': (e) => [...gpuFacts(e.gpus, () => 'nvidia'), ...usableFacts(e.gpus, true)],
  'sys-pci-uevent': () => [fact('GPU count', 0, (r) => r.gpus.length)],
  'etc-os-release': (e) => [fact('OS name', e.prettyName, (r) => r.host.osName)],
  // The processor's flags alone: /dev/kvm was not recorded, so that is all that can be said.
  'proc-cpuinfo': (e) => [
    fact('cores', e.cpus, (r) => r.host.cpus),
    fact('CPU model', e.model, (r) => r.host.cpuModel),
    fact('virtualization', e.virtualizationFlag ? 'available' : 'disabled', (r) => r.host.virtualization),
    ...(e.virtualizationFlag
      ? [
          fact(
            'virtualization detail',
            'supported by the processor; /dev/kvm not checked',
            (r: HostReport) => r.prerequisites.find((x) => x.id === 'virtualization')?.detail,
          ),
        ]
      : []),
  ],
  'proc-version-wsl': (e) => wslKernelFacts(e),
  'uname-r-wsl': (e) => wslKernelFacts(e),
  'podman-version': (e) =>
    e.installed === false
      ? [fact('Podman found', false, (r) => r.tools.podman.found)]
      : [fact('Podman found', true, (r) => r.tools.podman.found), fact('Podman version', e.version, (r) => r.tools.podman.version)],
  'podman-version-block': (e) => [
    fact('Podman found', true, (r) => r.tools.podman.found),
    fact('Podman version', e.version, (r) => r.tools.podman.version),
  ],
  'podman-info-json': (e) =>
    ['version', 'rootless', 'cgroupManager', 'cgroupVersion', 'ociRuntime'].map((k) => fact(`Podman ${k}`, e[k], (r) => r.tools.podman[k])),
  'qemu-version': (e) => (e.userMode ? [] : [fact('QEMU version', e.version, (r) => r.tools.qemu.version)]),
  'limactl-version': (e) => [fact('Lima version', e.version, (r) => r.tools.limactl.version)],
  'limactl-list-json': (e) => [
    fact(
      'Lima instances',
      e.instances.map((i: Expect) => i.name),
      (r) => (r.tools.limactl.instances as Expect[] | undefined)?.map((i) => i.name),
    ),
  ],
  'sysctl-kern.hv_support': (e) => [fact('virtualization', e.hvSupport ? 'available' : 'disabled', (r) => r.host.virtualization)],
  'sysctl-machdep.cpu.brand_string': (e) => [
    fact('CPU model', e.cpuBrand, (r) => r.host.cpuModel),
    ...(/^Apple/.test(e.cpuBrand) ? [fact('architecture', 'aarch64', (r: HostReport) => r.host.arch)] : []),
  ],
  'system_profiler-SPDisplaysDataType': (e) => {
    const gpus = e.gpus.filter((g: Expect) => g.vendor !== undefined); // a virtual machine's display adapter is no GPU
    return [...gpuFacts(gpus, (g) => g.vendor), ...usableFacts(gpus, false)];
  },
  systeminfo: (e) => [
    fact(
      'virtualization',
      e.hypervisorPresent || e.virtualizationFirmwareEnabled
        ? 'available'
        : e.virtualizationFirmwareEnabled === false
          ? 'disabled'
          : 'unknown',
      (r) => r.host.virtualization,
    ),
  ],
  'win32-videocontroller': (e) => {
    // Windows caps AdapterRAM at 4 GiB: at the cap it says nothing of the memory.
    const gpus = e.gpus.map((g: Expect) => ({ ...g, vramBytes: g.adapterRAM >= 0xfff00000 ? undefined : g.adapterRAM }));
    return gpuFacts(gpus, vendorFromPnp);
  },
  'wsl-version': (e) => [
    fact('WSL installed', e.wslInstalled, (r) => r.tools.wsl.installed),
    ...(e.wslVersion
      ? [
          fact('WSL version', e.wslVersion, (r: HostReport) => r.tools.wsl.version),
          fact('WSL kernel', e.kernelVersion, (r: HostReport) => r.tools.wsl.kernelVersion),
          fact('Windows version', e.windowsVersion, (r: HostReport) => r.tools.wsl.windowsVersion),
        ]
      : []),
  ],
  'wsl-status': (e) => [
    fact('WSL installed', e.wslInstalled, (r) => r.tools.wsl.installed),
    fact('WSL default version', e.defaultVersion, (r) => r.tools.wsl.defaultVersion),
  ],
  'wsl-list-verbose': (e) => [
    fact('WSL installed', true, (r) => r.tools.wsl.installed),
    ...(e.distros
      ? [
          fact(
            'WSL distributions',
            e.distros.map((d: Expect) => `${d.name} ${d.version}${d.default ? ' *' : ''}`),
            (r: HostReport) => (r.tools.wsl.distributions as Expect[]).map((d) => `${d.name} ${d.version}${d.isDefault ? ' *' : ''}`),
          ),
        ]
      : []),
    ...(e.distros?.some((d: Expect) => d.version === 2)
      ? [fact('virtualization', 'available', (r: HostReport) => r.host.virtualization)]
      : []),
  ],
  'ldconfig-p-grep-nvidia': (e) => [fact('platform', e.wsl ? 'wsl2' : 'linux', (r) => r.host.platform)],
};

function nvidiaSmiFacts(e: Expect): Fact[] {
  const error = e.error ?? e.nvmlError;
  if (error === 'no-devices') return [fact('GPU count', 0, (r) => r.gpus.length)];
  if (error && error !== 'inforom-corrupted') {
    const gpus = e.gpus?.length ? e.gpus : [{}];
    return [
      ...gpuFacts(gpus, () => 'nvidia'),
      ...usableFacts(gpus, false),
      fact('gpu-driver prerequisite', 'missing', (r) => prereq(r, 'gpu-driver')),
    ];
  }
  return [...gpuFacts(e.gpus, () => 'nvidia'), ...usableFacts(e.gpus, true), ...driverFacts(e.gpus, e.driverVersion)];
}

const nthGpu = (r: HostReport, g: Expect, i: number) => (g.pciBusId ? r.gpus.find((x) => x.pciBusId === g.pciBusId) : r.gpus[i]);

const usableFacts = (gpus: Expect[], usable: boolean): Fact[] =>
  gpus.map((g, i) => fact(`GPU ${i} usable`, usable, (r) => nthGpu(r, g, i)?.usable));

const driverFacts = (gpus: Expect[], version: string | undefined): Fact[] =>
  version === undefined ? [] : gpus.map((g, i) => fact(`GPU ${i} driver version`, version, (r) => nthGpu(r, g, i)?.driver.version));

function lspciFacts(e: Expect): Fact[] {
  const gpus = e.gpus.filter((g: Expect) => g.vendor !== 'other'); // virtual adapters are not GPUs to compute on
  const facts = gpuFacts(
    gpus.map((g: Expect) => ({ pciBusId: g.pciBusId, vendor: g.vendor, name: g.name })),
    (g) => g.vendor,
  );
  gpus.forEach((g: Expect, i: number) => {
    if (g.kernelDriver === undefined) return; // lspci -nn does not say which driver is bound
    const expected =
      g.kernelDriver === null ? 'none' : g.kernelDriver === 'nvidia' ? 'an NVIDIA driver' : (KERNEL_DRIVER[g.kernelDriver] ?? 'unknown');
    facts.push(
      fact(`GPU ${i} driver`, expected, (r) => {
        const name = r.gpus.find((x) => x.pciBusId === g.pciBusId)?.driver.name;
        // lspci names the module bound (nvidia), not its flavour: either flavour, or "unknown", is right.
        const nvidia = /^nvidia-(open|proprietary)$/.test(name ?? '') || (g.kernelDriver === 'nvidia' && name === 'unknown');
        return nvidia ? 'an NVIDIA driver' : name;
      }),
    );
  });
  return facts;
}

function wslKernelFacts(e: Expect): Fact[] {
  return [
    fact('platform', e.platform === 'wsl2' ? 'wsl2' : 'linux', (r) => r.host.platform),
    fact('WSL version', e.platform === 'wsl2' ? 2 : 1, (r) => r.host.wslVersion),
    fact('kernel', e.kernelRelease, (r) => r.host.kernel),
  ];
}

/** Every fixture that is an artifact a bundle records, as a bundle of its own. */
export function aloneCases(): AloneCase[] {
  return Object.entries(PLACES)
    .flatMap(([artifact, place]) =>
      fixtureCases(artifact).map((c) => ({
        name: `${artifact}/${c.name}`,
        spec: place(c),
        facts: FACTS[artifact]!(c.expect, c),
      })),
    )
    .filter((c) => c.facts.length > 0); // qemu-arm-static's answer is no qemu-system's
}
