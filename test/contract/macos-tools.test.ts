import { describe, expect, it } from 'vitest';
import { fixtureCases } from './fixtures.ts';
import { parseSystemProfilerText, parseSysctlValue } from '../../platforms/host/parse/macos.ts';
import { parseLimaList, parsePodmanInfo, parseToolVersion } from '../../platforms/host/parse/tools.ts';
import { parseRocminfo } from '../../platforms/host/vendors/amd/parse.ts';
import { vendorFromName } from '../../platforms/host/vendors/index.ts';
import { parseCpuinfo, parseLdconfig, parseOsRelease } from '../../platforms/host/parse/linux.ts';
import { parsePciUevent } from '../../platforms/host/parse/pci.ts';

describe.each(fixtureCases('system_profiler-SPDisplaysDataType'))('system_profiler SPDisplaysDataType: $name', (c) => {
  it('reads each GPU: model, vendor, VRAM', () => {
    // A virtual machine's display adapter has no "Chipset Model": it is not a GPU to use.
    const wanted = c.expect.gpus.filter((g: any) => g.model !== null);
    const got = parseSystemProfilerText(c.out);
    expect(got.map((g) => g.model)).toEqual(wanted.map((g: any) => g.model));
    wanted.forEach((g: any, i: number) => {
      if (g.vendor) expect([got[i]!.vendorName, got[i]!.model].map(vendorFromName).find((v) => v !== 'other')).toBe(g.vendor);
      if (g.vramBytes) expect(got[i]!.vramBytes).toBe(g.vramBytes);
    });
  });
});

describe.each([
  ...fixtureCases('sysctl-machdep.cpu.brand_string').map((c) => ({ ...c, key: 'machdep.cpu.brand_string', want: c.expect.cpuBrand })),
  ...fixtureCases('sysctl-kern.hv_support').map((c) => ({ ...c, key: 'kern.hv_support', want: c.expect.hvSupport ? '1' : '0' })),
])('sysctl $key: $name', (c) => {
  it('reads the value with or without the name prefix', () => expect(parseSysctlValue(c.out, c.key)).toBe(c.want));
});

describe.each(
  ['limactl-version', 'podman-version', 'podman-version-block', 'qemu-version'].flatMap((d) =>
    fixtureCases(d).map((c) => ({ ...c, tool: d })),
  ),
)('$tool: $name', (c) => {
  it("reads the version (the client's, for podman)", () => expect(parseToolVersion(c.out)).toBe(c.expect.version ?? null));
});

describe.each(fixtureCases('limactl-list-json'))('limactl list --json: $name', (c) => {
  it('lists instances', () => {
    expect(parseLimaList(c.out).map((i) => ({ name: i.name, status: i.status, arch: i.arch }))).toEqual(
      c.expect.instances.map((i: any) => ({ name: i.name, status: i.status, arch: i.arch })),
    );
  });
});

describe.each(fixtureCases('podman-info-json'))('podman info --format json: $name', (c) => {
  it('reads rootless, cgroups and runtime', () => {
    const { version, rootless, cgroupManager, cgroupVersion, ociRuntime } = c.expect;
    expect(parsePodmanInfo(c.out)).toEqual({ version, rootless, cgroupManager, cgroupVersion, ociRuntime });
  });
});

describe.each(fixtureCases('rocminfo'))('rocminfo: $name', (c) => {
  it('lists agents with marketing names and device types', () => {
    const type = (t: string) => (t === 'GPU' || t === 'CPU' ? t : 'other');
    expect(parseRocminfo(c.out).map((a) => ({ marketingName: a.marketingName, deviceType: a.deviceType }))).toEqual(
      c.expect.agents.map((a: any) => ({ marketingName: a.marketingName, deviceType: type(a.deviceType) })),
    );
  });
});

describe('rocminfo pools', () => {
  it('gives each GPU its VRAM from the first coarse-grained global pool', () => {
    const mi300x = fixtureCases('rocminfo').find((c) => c.name === 'mi300x-x4-epyc-9474f')!;
    const gpus = parseRocminfo(mi300x.out).filter((a) => a.deviceType === 'GPU');
    expect(gpus.map((g) => g.vramBytes)).toEqual(Array(4).fill(201310208 * 1024)); // "Size: 201310208(0xbffc000) KB"
  });
});

describe.each(fixtureCases('ldconfig-p-grep-nvidia'))('ldconfig -p (NVIDIA lines): $name', (c) => {
  it('maps libraries to paths', () => {
    const libs = parseLdconfig(c.out);
    for (const [name, p] of Object.entries(c.expect.libs ?? {}))
      expect(libs.filter((e) => e.name === name).map((e) => e.path)).toContain(p);
  });
});

describe.each(fixtureCases('etc-os-release'))('/etc/os-release: $name', (c) => {
  it('reads the distribution', () => expect(parseOsRelease(c.out)).toMatchObject(c.expect));
});

describe.each(fixtureCases('sys-pci-uevent'))('sysfs PCI uevent: $name', (c) => {
  it('reads the slot, class, ids and bound driver', () => expect(parsePciUevent(c.out)).toMatchObject(c.expect));
});

describe.each(fixtureCases('proc-cpuinfo'))('/proc/cpuinfo: $name', (c) => {
  it('reads the processor count, model, and whether it offers VT-x or AMD-V', () => {
    const info = parseCpuinfo(c.out);
    expect({ cpus: info.count, model: info.model, flag: info.virtualizationFlag, hypervisor: info.underHypervisor }).toEqual({
      cpus: c.expect.cpus,
      model: c.expect.model,
      flag: c.expect.virtualizationFlag !== null,
      hypervisor: c.expect.hypervisor,
    });
  });
});
