// One module per GPU maker: the vendor list in appliance/gpu-vendors.ts, a module under
// platforms/host/vendors/<id>/ for each, and no maker named anywhere else.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GPU_VENDORS, KNOWN_VENDORS, PASSABLE_VENDORS } from '../../appliance/gpu-vendors.ts';
import { VENDORS, vendorFromName, vendorFromPciId } from '../../platforms/host/vendors/index.ts';
import { IMAGE_RULES } from '../../appliance/image-policy.ts';
import { COMMAND_NAMES } from '../../platforms/host/probe-spec.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the vendor list', () => {
  it('has one host module per maker, in the same order, each with its own PCI ids', () => {
    expect(VENDORS.map((v) => v.id)).toEqual(KNOWN_VENDORS);
    const ids = VENDORS.flatMap((v) => v.pciVendorIds);
    expect(new Set(ids).size).toBe(ids.length);
    for (const v of VENDORS) for (const id of v.pciVendorIds) expect(vendorFromPciId(id)).toBe(v.id);
  });

  it('derives the passable makers, their CDI kinds and the image rules from the one table', () => {
    expect(PASSABLE_VENDORS).toEqual(['nvidia', 'amd', 'intel']);
    expect(PASSABLE_VENDORS.map((v) => GPU_VENDORS[v].cdiKind)).toEqual(['nvidia.com/gpu', 'amd.com/gpu', 'intel.com/gpu']);
    expect(IMAGE_RULES.map((r) => r.id).slice(0, 2)).toEqual(['nvidia', 'amd']);
  });

  it('recognizes makers by name where no PCI id was recorded', () => {
    expect(
      ['NVIDIA GeForce GT 650M', 'AMD Radeon Pro 450', 'Intel Iris Pro', 'sppci_vendor_Apple', 'VirtualBox'].map(vendorFromName),
    ).toEqual(['nvidia', 'amd', 'intel', 'apple', 'other']);
  });

  it("records each maker's own commands in the bundle", () => {
    expect(COMMAND_NAMES).toEqual(expect.arrayContaining(['nvidia-smi', 'nvidia-smi-L', 'nvidia-smi-q-x', 'modinfo-nvidia', 'rocminfo']));
  });
});

describe('no maker outside its module', () => {
  const sources = ['appliance', 'platforms', 'launcher'].flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true })
      .map(String)
      .filter((f) => /\.tsx?$/.test(f))
      .map((f) => path.join(dir, f)),
  );
  // Bolt's Boltfile schema has its own keys per maker (nvidia_runtime, gpu.amd): Bolt's vocabulary, not ai-way's.
  const allowed = (f: string) =>
    f.startsWith(path.join('platforms', 'host', 'vendors')) ||
    f === path.join('appliance', 'gpu-vendors.ts') ||
    f === path.join('appliance', 'boltfile.ts');

  it('names no vendor id in code anywhere else', () => {
    const named = sources
      .filter((f) => !allowed(f))
      .filter((f) => {
        const code = readFileSync(path.join(ROOT, f), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
        return KNOWN_VENDORS.some((v) => new RegExp(`['"\`]${v}['"\`]|\\b${v}:`).test(code));
      });
    expect(named).toEqual([]);
  });

  it('the check sees a vendor id where one is (it can fail)', () => {
    expect(sources).toContain(path.join('appliance', 'boltfile.ts'));
    expect(readFileSync(path.join(ROOT, 'appliance', 'boltfile.ts'), 'utf8')).toMatch(/\bnvidia:/);
  });
});
