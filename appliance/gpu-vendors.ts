// The GPU makers ai-way knows, one row each: the one list the vendor types derive from. The
// appliance layer reads only this table; each maker's probes, parsers, analysis and fixes live in
// platforms/host/vendors/<id>/, keyed by the same ids.

export interface VendorTraits {
  /** How to name the maker to a person. */
  label: string;
  /** The CDI kind of its devices; null where ai-way cannot pass its GPUs into an appliance. */
  cdiKind: string | null;
  /** The resource its Kubernetes device plugin offers (requested under limits); null: none. */
  kubeResource: string | null;
  /** Its user-space libraries need glibc, which the Alpine image lacks. */
  needsGlibc: boolean;
  /** A usable GPU of it asks for this image, and why. */
  image?: { flavor: 'fedora'; reason: string };
}

export const GPU_VENDORS = {
  nvidia: {
    label: 'NVIDIA',
    cdiKind: 'nvidia.com/gpu',
    kubeResource: 'nvidia.com/gpu',
    needsGlibc: true,
    image: {
      flavor: 'fedora',
      reason: "usable NVIDIA GPU: NVIDIA's user-space libraries need glibc, and Fedora has the best driver support",
    },
  },
  amd: {
    label: 'AMD',
    cdiKind: 'amd.com/gpu',
    kubeResource: 'amd.com/gpu',
    needsGlibc: false,
    image: { flavor: 'fedora', reason: 'usable AMD GPU: Fedora packages ROCm' },
  },
  intel: { label: 'Intel', cdiKind: 'intel.com/gpu', kubeResource: 'gpu.intel.com/i915', needsGlibc: false },
  apple: { label: 'Apple', cdiKind: null, kubeResource: null, needsGlibc: false },
} as const satisfies Record<string, VendorTraits>;

export type KnownVendor = keyof typeof GPU_VENDORS;
/** A GPU's maker; "other" for one ai-way does not know. */
export type GpuVendor = KnownVendor | 'other';
/** Makers whose GPUs ai-way can pass into an appliance. */
export type PassableVendor = { [V in KnownVendor]: (typeof GPU_VENDORS)[V]['cdiKind'] extends string ? V : never }[KnownVendor];

/** In the table's order, which is also the order GPUs are listed and chosen in. */
export const KNOWN_VENDORS = Object.keys(GPU_VENDORS) as KnownVendor[];
export const PASSABLE_VENDORS = KNOWN_VENDORS.filter((v): v is PassableVendor => GPU_VENDORS[v].cdiKind !== null);

export const isPassable = (v: GpuVendor): v is PassableVendor => (PASSABLE_VENDORS as string[]).includes(v);
export const vendorTraits = (v: KnownVendor): VendorTraits => GPU_VENDORS[v];
export const vendorLabel = (v: GpuVendor): string => (v === 'other' ? 'Other' : GPU_VENDORS[v].label);
/** Where a vendor sorts: the table's order, unknown makers last. */
export const vendorRank = (v: GpuVendor): number => (v === 'other' ? KNOWN_VENDORS.length : KNOWN_VENDORS.indexOf(v));
