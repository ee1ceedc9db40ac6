// The vendor modules, under the ids of appliance/gpu-vendors.ts (the compiler checks there is one
// for each), and what is found out from them: a device's maker, the report's driver names.
import type { GpuVendor, KnownVendor } from '../../../appliance/gpu-vendors.ts';
import { KNOWN_VENDORS } from '../../../appliance/gpu-vendors.ts';
import type { HostVendor } from './vendor.ts';
import { nvidia } from './nvidia/index.ts';
import { amd } from './amd/index.ts';
import { intel } from './intel/index.ts';
import { apple } from './apple/index.ts';

const MODULES = { nvidia, amd, intel, apple } satisfies Record<KnownVendor, HostVendor<readonly string[]>>;

/** The vendor modules in the vendor table's order. */
export const VENDORS: readonly HostVendor[] = KNOWN_VENDORS.map((id) => MODULES[id]);

export const vendorModule = (id: KnownVendor): HostVendor => MODULES[id];

/** Every driver name a vendor module reports. */
export type VendorDriverName = { [V in KnownVendor]: (typeof MODULES)[V]['driverNames'][number] }[KnownVendor];

export function vendorFromPciId(vendorId: string | null): GpuVendor {
  return VENDORS.find((v) => vendorId !== null && v.pciVendorIds.includes(vendorId))?.id ?? 'other';
}

/** A maker from a product or vendor name, where no PCI id was recorded. */
export function vendorFromName(name: string | null): GpuVendor {
  return (name && VENDORS.find((v) => v.names.test(name))?.id) || 'other';
}

/** A device's maker: by its PCI vendor id where a module knows it, else by the first of its names that tells. */
export function identifyVendor(vendorId: string | null, ...names: (string | null)[]): GpuVendor {
  const byId = vendorFromPciId(vendorId);
  if (byId !== 'other' || vendorId !== null) return byId;
  return names.map(vendorFromName).find((v) => v !== 'other') ?? 'other';
}

/** A PCI device's maker, as lspci or sysfs describe it. */
export const vendorOfDevice = (d: { vendorId: string | null; description?: string | null }): GpuVendor =>
  identifyVendor(d.vendorId, d.description ?? null);
