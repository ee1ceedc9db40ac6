// Whole-host analysis on Linux, from recorded outputs of real machines.
import { describe, expect, it } from 'vitest';
import { analyzeHost } from '../../platforms/host/analyze.ts';
import { chooseImage } from '../../appliance/image-policy.ts';
import { artifacts, fixture } from '../support/artifacts.ts';

const GiB = 1024 ** 3;
const NV_DEVICES = ['/dev/nvidia0', '/dev/nvidiactl', '/dev/nvidia-uvm'];

describe('Linux host without a GPU (like this machine)', () => {
  const r = analyzeHost(artifacts({ commands: { 'podman-version': fixture('podman-version', 'debian-12-4-3-1') } }));
  it('reports Linux, x86_64, memory, cores, podman and Alpine', () => {
    expect(r.host).toMatchObject({ platform: 'linux', arch: 'x86_64', memBytes: 32 * GiB, cpus: 8 });
    expect(r.gpus).toEqual([]);
    expect(r.tools.podman).toMatchObject({ found: true, version: '4.3.1' });
    expect(chooseImage(r)).toMatchObject({ flavor: 'alpine', arch: 'x86_64', rule: 'no-gpu' });
    expect(r.prerequisites.find((p) => p.id === 'podman')?.ok).toBe(true);
  });
});

describe('NVIDIA A100 with MIG, proprietary module, recorded nvidia-smi forms', () => {
  const a = artifacts({
    devices: NV_DEVICES,
    files: { '/proc/driver/nvidia/version': fixture('proc-driver-nvidia-version', 'proprietary-520-56-06-x86_64-debian') },
    commands: {
      'nvidia-smi-q-x': fixture('nvidia-smi-q-x', 'a100-sxm4-80gb-mig-enabled-535-54-03'),
      'nvidia-smi': fixture('nvidia-smi', 'a100-sxm4-40gb-mig-enabled-450-80-02'),
    },
  });
  const r = analyzeHost(a);
  it('names the GPU with its exact VRAM, bus id and driver', () => {
    expect(r.gpus).toHaveLength(1);
    expect(r.gpus[0]).toMatchObject({
      vendor: 'nvidia',
      model: 'NVIDIA A100-SXM4-80GB',
      vramBytes: 81920 * 1024 ** 2,
      pciBusId: '0000:01:00.0',
      driver: { name: 'nvidia-proprietary', version: '535.54.03' },
      usable: true,
    });
    expect(chooseImage(r)).toMatchObject({ flavor: 'fedora', rule: 'nvidia' });
  });
});

describe('open kernel module', () => {
  it('says nvidia-open from /proc/driver/nvidia/version', () => {
    const r = analyzeHost(
      artifacts({
        devices: NV_DEVICES,
        files: { '/proc/driver/nvidia/version': fixture('proc-driver-nvidia-version', 'open-565-57-01-x86_64-ubuntu2404') },
        commands: { 'nvidia-smi-L': fixture('nvidia-smi-L', 'dual-a10') },
      }),
    );
    expect(r.gpus.map((g) => [g.model, g.driver.name, g.driver.version, g.usable])).toEqual([
      ['NVIDIA A10', 'nvidia-open', '565.57.01', true],
      ['NVIDIA A10', 'nvidia-open', '565.57.01', true],
    ]);
  });

  it("falls back to modinfo's license when /proc says nothing", () => {
    const r = analyzeHost(
      artifacts({
        devices: NV_DEVICES,
        commands: {
          'nvidia-smi-L': fixture('nvidia-smi-L', 'dual-a10'),
          'modinfo-nvidia': fixture('modinfo-nvidia', 'open-590-44-01-dkms-ubuntu-truncated'),
        },
      }),
    );
    expect(r.gpus[0]!.driver.name).toBe('nvidia-open');
  });
});

describe('nvidia-smi failing', () => {
  it.each([
    ['failed-no-driver', 'cannot talk to the NVIDIA driver'],
    ['mismatch-driver-library', 'different versions'],
  ])('%s: the GPU is not usable and gpu-driver says how to fix it', (name, reason) => {
    // Recordings from different machines, put together: a GTX 1650 bound to nvidia (lspci), then
    // nvidia-smi failing as the named case did, on Debian 12.
    const r = analyzeHost(
      artifacts({
        devices: NV_DEVICES,
        files: { '/etc/os-release': fixture('etc-os-release', 'debian-12-bookworm') },
        commands: {
          'lspci-nnk': fixture('lspci-nnk', 'laptop-nvidia-gtx1650-mobile-nvidia-vga'),
          'nvidia-smi': { out: fixture('nvidia-smi', name), exit: 1 },
        },
      }),
    );
    expect(r.gpus).toHaveLength(1);
    expect(r.gpus[0]!.usable).toBe(false);
    expect(r.gpus[0]!.reason).toContain(reason);
    const p = r.prerequisites.find((x) => x.id === 'gpu-driver')!;
    expect(p).toMatchObject({ ok: false, status: 'missing' });
    expect(p.fix).toBeTruthy();
    if (name === 'failed-no-driver') expect(p.fixCommand).toBe('sudo apt-get install -y nvidia-driver');
    expect(chooseImage(r).flavor).toBe('alpine');
  });

  it('infoROM warning (exit 14) still lists the GPU as usable', () => {
    const r = analyzeHost(
      artifacts({
        devices: NV_DEVICES,
        commands: { 'nvidia-smi': { out: fixture('nvidia-smi', 'inforom-corrupted-p100-470-82-01'), exit: 14 } },
      }),
    );
    expect(r.gpus[0]).toMatchObject({ vendor: 'nvidia', pciBusId: '0000:0b:00.0', usable: true });
    expect(r.notes.join()).toContain('exited with code 14');
  });

  it('a hung nvidia-smi is a note, not a hang, and the GPU is not usable', () => {
    const r = analyzeHost(artifacts({ devices: NV_DEVICES, commands: { 'nvidia-smi': { out: '', timeoutMs: 5000 } } }));
    expect(r.notes.join()).toContain('did not answer in time');
    expect(r.gpus).toEqual([expect.objectContaining({ vendor: 'nvidia', usable: false, reason: 'nvidia-smi did not answer in time' })]);
  });
});

describe('nouveau', () => {
  it("is not usable and asks for NVIDIA's driver (Debian's package on Debian)", () => {
    // Recordings from different machines, put together: a laptop's lspci -nnk, Debian 12's os-release.
    const r = analyzeHost(
      artifacts({
        devices: null,
        files: { '/etc/os-release': fixture('etc-os-release', 'debian-12-bookworm') },
        commands: { 'lspci-nnk': fixture('lspci-nnk', 'laptop-intel-i915-nvidia-nouveau-rtx4060-grep') },
      }),
    );
    expect(r.gpus.find((g) => g.vendor === 'nvidia')).toMatchObject({ driver: { name: 'nouveau' }, usable: false });
    expect(r.prerequisites.find((p) => p.id === 'gpu-driver')).toMatchObject({
      ok: false,
      fixCommand: 'sudo apt-get install -y nvidia-driver',
    });
  });
});

describe('lspci -vnn of a VM with a passed-through GT 1030', () => {
  it('reads class, ids, marketing name and driver', async () => {
    const { parseLspci, marketingName } = await import('../../platforms/host/parse/pci.ts');
    const [dev] = parseLspci(new TextDecoder().decode(fixture('lspci-vnn', 'kata-vm-passthrough-gt-1030-nvidia')));
    expect(dev).toMatchObject({ pciBusId: '0000:00:08.0', classCode: '0300', vendorId: '10de', deviceId: '1d01', kernelDriver: 'nvidia' });
    expect(marketingName(dev!.description)).toBe('GeForce GT 1030');
  });
});

describe('virtual and management display adapters', () => {
  it('are not counted as GPUs', () => {
    const r = analyzeHost(artifacts({ commands: { 'lspci-nnk': fixture('lspci-nn', 'vm-qemu-virtio-gpu-leading-space') } }));
    expect(r.gpus).toEqual([]);
    expect(r.notes.join()).toContain('(virtio) is not a GPU the appliance can use');
  });
});

describe('missing inputs', () => {
  it('unknown is a value, with a note', () => {
    const r = analyzeHost({ host: { os: 'linux', arch: 'riscv64' }, files: new Map(), devices: null, commands: new Map() });
    expect(r.host.arch).toBeNull();
    expect(r.host.memBytes).toBeNull();
    expect(r.host.virtualization).toBe('unknown');
    expect(r.notes.length).toBeGreaterThan(0);
    expect(r.prerequisites.find((p) => p.id === 'podman')).toMatchObject({ ok: false, status: 'missing' });
  });
});

describe('NVIDIA driver loaded, nvidia-smi not installed', () => {
  it("is listed and usable on the kernel's word alone (no lspci either), with the flavour from /proc", () => {
    const r = analyzeHost(
      artifacts({
        devices: NV_DEVICES,
        // Two recordings from different machines: the driver's version file and its per-GPU file.
        files: {
          '/proc/driver/nvidia/version': fixture('proc-driver-nvidia-version', 'proprietary-520-56-06-x86_64-debian'),
          '/proc/driver/nvidia/gpus/0000:62:00.0/information': fixture(
            'proc-driver-nvidia-gpu-information',
            'h100-80gb-hbm3-535-129-03-spaces',
          ),
        },
      }),
    );
    expect(r.gpus).toHaveLength(1);
    expect(r.gpus[0]).toMatchObject({
      model: 'NVIDIA H100 80GB HBM3',
      pciBusId: '0000:62:00.0',
      uuid: 'GPU-9221d5d1-b60b-a624-bf14-0a1819cfda3b',
      driver: { name: 'nvidia-proprietary', version: '520.56.06' },
      usable: true,
    });
  });
});

describe('hybrid laptop: Intel i915 and an RTX 4060 on Nouveau (recorded lspci -nnk)', () => {
  const r = analyzeHost(
    artifacts({
      devices: ['/dev/dri/card0', '/dev/dri/card1', '/dev/dri/renderD128', '/dev/dri/renderD129'],
      files: { '/etc/os-release': fixture('etc-os-release', 'debian-12-bookworm') },
      commands: { 'lspci-nnk': fixture('lspci-nnk', 'laptop-intel-i915-nvidia-nouveau-rtx4060-grep') },
    }),
  );
  it("lists both, the Intel one usable, and asks for NVIDIA's driver", () => {
    expect(r.gpus.map((g) => [g.vendor, g.driver.name, g.usable])).toEqual([
      ['intel', 'i915', true],
      ['nvidia', 'nouveau', false],
    ]);
    expect(r.prerequisites.find((p) => p.id === 'gpu-driver')).toMatchObject({
      ok: false,
      fixCommand: 'sudo apt-get install -y nvidia-driver',
    });
    expect(chooseImage(r).rule).toBe('default'); // a usable Intel GPU and 32 GiB: the table's last row
  });
});

describe('the Podman profile ai-way learned', () => {
  it('shows in the podman prerequisite', () => {
    const r = analyzeHost(
      artifacts({
        commands: {
          'podman-version': fixture('podman-version', 'debian-12-4-3-1'),
          'ai-way-podman-profile': fixture('ai-way-podman-profile', 'root-debian-12-podman-4-3-1'),
        },
      }),
    );
    expect(r.prerequisites.find((p) => p.id === 'podman')!.detail).toBe(
      'Podman 4.3.1 is installed; a test container showed it needs --ulimit nofile=1024:1024 here',
    );
  });
});

describe('little recorded', () => {
  it('nvidia-smi failing alone still names an NVIDIA GPU that needs its driver', () => {
    const r = analyzeHost(
      artifacts({ devices: null, commands: { 'nvidia-smi': { out: fixture('nvidia-smi', 'failed-no-driver'), exit: 9 } } }),
    );
    expect(r.gpus).toEqual([expect.objectContaining({ vendor: 'nvidia', driver: { name: 'none', version: null }, usable: false })]);
    expect(r.prerequisites.find((p) => p.id === 'gpu-driver')).toMatchObject({ ok: false, status: 'missing' });
  });

  it('"No devices were found" is no GPU, not a driver problem', () => {
    const r = analyzeHost(
      artifacts({ devices: null, commands: { 'nvidia-smi': { out: fixture('nvidia-smi', 'no-devices-rtx-5090-rebar-off'), exit: 6 } } }),
    );
    expect(r.gpus).toEqual([]);
  });

  it('lspci binding the nvidia driver is enough to call the GPU usable when nvidia-smi is absent', () => {
    const r = analyzeHost(
      artifacts({ devices: null, commands: { 'lspci-nnk': fixture('lspci-nnk', 'laptop-nvidia-gtx1650-mobile-nvidia-vga') } }),
    );
    expect(r.gpus).toEqual([expect.objectContaining({ vendor: 'nvidia', model: 'GeForce GTX 1650 Mobile / Max-Q', usable: true })]);
  });
});

describe('sources that name one GPU differently', () => {
  it('lspci (by address) and nvidia-smi -L (by order) describe the same GPU once, the whole name winning', () => {
    // Recordings from different machines, put together: a laptop's lspci -nnk and an A100's nvidia-smi -L.
    const r = analyzeHost(
      artifacts({
        devices: NV_DEVICES,
        commands: {
          'lspci-nnk': fixture('lspci-nnk', 'laptop-nvidia-gtx1650-mobile-nvidia-vga'),
          'nvidia-smi-L': fixture('nvidia-smi-L', 'single-a100-sxm4-40gb-450-80-02'),
        },
      }),
    );
    expect(r.gpus.map((g) => [g.pciBusId, g.model, g.uuid, g.usable])).toEqual([
      ['0000:01:00.0', 'A100-SXM4-40GB', 'GPU-15f0798d-c807-231d-6525-a7827081f0f1', true],
    ]);
  });

  it('an installed driver that is not loaded asks for a restart, not an install', () => {
    // Recordings from different machines, put together: modinfo of an installed open module, and
    // nvidia-smi failing to reach a driver (no exit code kept).
    const r = analyzeHost(
      artifacts({
        devices: null,
        commands: {
          'modinfo-nvidia': fixture('modinfo-nvidia', 'open-590-44-01-dkms-ubuntu-truncated'),
          'nvidia-smi': fixture('nvidia-smi', 'failed-no-driver'),
        },
      }),
    );
    expect(r.gpus).toEqual([
      expect.objectContaining({
        vendor: 'nvidia',
        usable: false,
        verdict: 'not-loaded',
        reason: "NVIDIA's driver 590.44.01 is installed but not loaded",
      }),
    ]);
    expect(r.prerequisites.find((p) => p.id === 'gpu-driver')).toMatchObject({
      status: 'missing',
      fix: expect.stringMatching(/^Restart the computer/),
    });
  });
});

describe('verdicts are codes', () => {
  it('a driver and library of different versions is a pending restart, by its code', () => {
    const smi = { out: fixture('nvidia-smi', 'mismatch-driver-library'), exit: 18 };
    const r = analyzeHost(artifacts({ devices: null, commands: { 'nvidia-smi': smi } }));
    expect(r.gpus[0]).toMatchObject({ verdict: 'driver-mismatch', usable: false });
    expect(r.prerequisites.find((p) => p.id === 'gpu-driver')!.fix).toBe(
      'Restart the computer so the NVIDIA driver that was just updated is loaded.',
    );
  });
});
