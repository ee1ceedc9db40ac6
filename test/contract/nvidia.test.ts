import { describe, expect, it } from 'vitest';
import { fixtureCases } from './fixtures.ts';
import {
  classifyNvidiaSmiFailure,
  flavorFromLicense,
  parseModinfo,
  parseNvidiaGpuInformation,
  parseNvidiaProcVersion,
  parseNvidiaSmiList,
  parseNvidiaSmiTable,
  parseNvidiaSmiXml,
} from '../../platforms/host/vendors/nvidia/parse.ts';

const MiB = 1024 ** 2;
const ERRORS: Record<string, string> = {
  'no-driver': 'no-driver',
  mismatch: 'version-mismatch',
  'no-devices': 'no-devices',
  'device-handle-unknown-error': 'failed',
};

describe.each(fixtureCases('nvidia-smi').concat(fixtureCases('nvidia-smi-wsl')))('nvidia-smi table: $name', (c) => {
  it('reads driver, CUDA and each GPU, or the failure', () => {
    const r = parseNvidiaSmiTable(c.out);
    const gpus = c.expect.gpus ?? [];
    if (c.expect.driverVersion) expect(r.driverVersion).toBe(c.expect.driverVersion);
    if (c.expect.cudaVersion) expect(r.cudaVersion).toBe(c.expect.cudaVersion);
    if (!c.expect.error && !c.expect.nvmlError) expect(r.gpus).toHaveLength(gpus.length);
    gpus.forEach((g: any, i: number) => {
      if (!r.gpus[i]) return; // an error case naming a GPU in its message
      if (g.pciBusId) expect(r.gpus[i]!.pciBusId).toBe(g.pciBusId);
      const vram = g.vramMiB ?? g.memoryTotalMiB;
      if (vram) expect(r.gpus[i]!.vramBytes).toBe(vram * MiB);
      const model = g.model ?? g.name; // a name the table cut is read as shown ("Tesla P100-PCIE...")
      if (model !== undefined) expect(r.gpus[i]!.model).toBe(model);
    });
    const error = c.expect.error ?? c.expect.nvmlError;
    if (error && error !== 'inforom-corrupted') {
      const wanted = ERRORS[error] ?? (/blocked/.test(error) ? 'blocked' : /Not Loaded/.test(error) ? 'no-driver' : 'failed');
      expect(classifyNvidiaSmiFailure(c.out, c.err, c.exit ?? 1)).toBe(wanted);
    }
  });
});

describe.each(fixtureCases('nvidia-smi-L'))('nvidia-smi -L: $name', (c) => {
  it('lists physical GPUs with full names and UUIDs (MIG lines skipped)', () => {
    const gpus = parseNvidiaSmiList(c.out);
    expect(gpus.map((g) => ({ model: g.model, uuid: g.uuid }))).toEqual(c.expect.gpus.map((g: any) => ({ model: g.model, uuid: g.uuid })));
  });
});

describe.each(fixtureCases('nvidia-smi-q-x'))('nvidia-smi -q -x: $name', (c) => {
  it('reads every GPU exactly', () => {
    const r = parseNvidiaSmiXml(c.out);
    if (c.expect.driverVersion) expect(r.driverVersion).toBe(c.expect.driverVersion);
    if (c.expect.cudaVersion) expect(r.cudaVersion).toBe(c.expect.cudaVersion);
    expect(r.gpus).toHaveLength(c.expect.gpus.length);
    c.expect.gpus.forEach((g: any, i: number) => {
      const got = r.gpus[i]!;
      expect(got.model).toBe(g.model);
      if (g.vramMiB) expect(got.vramBytes).toBe(g.vramMiB * MiB);
      if (g.pciBusId) expect(got.pciBusId).toBe(g.pciBusId);
      if (g.uuid) expect(got.uuid).toBe(g.uuid);
      if (g.minor !== undefined) expect(got.minor).toBe(g.minor);
    });
  });
});

describe.each(fixtureCases('proc-driver-nvidia-version'))('/proc/driver/nvidia/version: $name', (c) => {
  it('tells the open module from the proprietary one, and the version', () => {
    expect(parseNvidiaProcVersion(c.out)).toEqual({ flavor: c.expect.flavor, version: c.expect.driverVersion });
  });
});

describe.each(fixtureCases('modinfo-nvidia'))('modinfo nvidia: $name', (c) => {
  it('reads the license and so the flavour', () => {
    const m = parseModinfo(c.out);
    expect(m.license).toBe(c.expect.license);
    expect(m.version).toBe(c.expect.driverVersion);
    expect(flavorFromLicense(m.license)).toBe(c.expect.flavor);
  });
});

describe.each(fixtureCases('modinfo-F-version-nvidia'))('modinfo -F version nvidia: $name', (c) => {
  it('reports no module', () => {
    expect(parseModinfo(c.out).version).toBeNull();
    expect(flavorFromLicense(parseModinfo(c.out).license)).toBeNull();
  });
});

describe.each(fixtureCases('proc-driver-nvidia-gpu-information'))('/proc/driver/nvidia/gpus/*/information: $name', (c) => {
  it('reads model, UUID, bus id and minor', () => {
    const g = c.expect.gpus[0];
    expect(parseNvidiaGpuInformation(c.out)).toEqual({ model: g.model, uuid: g.uuid, pciBusId: g.pciBusId, minor: g.minor });
  });
});
