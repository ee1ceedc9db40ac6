// Apple: the GPUs of its own chips, on macOS; they share the system memory.
import { gpuReport, ON_MACOS, type HostVendor } from '../vendor.ts';

const DRIVERS = ['apple'] as const;

export const apple: HostVendor<typeof DRIVERS> = {
  id: 'apple',
  pciVendorIds: [],
  names: /\bApple\b|sppci_vendor_Apple/i,
  driverNames: DRIVERS,
  analyze({ platform, displays, notes }) {
    if (platform !== 'macos') return null;
    return {
      gpus: displays.map((g) => {
        if (g.vramBytes === null) notes.push(`${g.model ?? 'the Apple GPU'} shares the system memory (no separate VRAM)`);
        return gpuReport({
          vendor: 'apple',
          model: g.model,
          vramBytes: g.vramBytes,
          driver: { name: 'apple', version: null },
          ...ON_MACOS,
        });
      }),
    };
  },
};
