import { describe, expect, it } from 'vitest';
import { fixtureCases } from './fixtures.ts';
import { isGpuClass, marketingName, parseLspci } from '../../platforms/host/parse/pci.ts';
import { vendorOfDevice } from '../../platforms/host/vendors/index.ts';

const cases = ['lspci-nnk', 'lspci-k', 'lspci-nn', 'lspci-vnn'].flatMap((d) => fixtureCases(d).map((c) => ({ ...c, form: d })));

describe.each(cases)('$form: $name', (c) => {
  it('finds each GPU with its bus id, ids, driver and marketing name', () => {
    const gpus = parseLspci(c.out).filter((d) => isGpuClass(d.classCode));
    expect(gpus.map((g) => g.pciBusId)).toEqual(c.expect.gpus.map((g: any) => g.pciBusId));
    c.expect.gpus.forEach((want: any, i: number) => {
      const got = gpus[i]!;
      if (want.classCode) expect(got.classCode).toBe(want.classCode);
      if (want.vendorId) expect(got.vendorId).toBe(want.vendorId);
      if (want.deviceId) expect(got.deviceId).toBe(want.deviceId);
      if (want.vendor) expect(vendorOfDevice(got)).toBe(want.vendor);
      if ('kernelDriver' in want) expect(got.kernelDriver).toBe(want.kernelDriver);
      if (want.kernelModules) expect(got.kernelModules).toEqual(want.kernelModules);
      if (want.name) expect(marketingName(got.description)).toBe(want.name);
    });
  });
});
