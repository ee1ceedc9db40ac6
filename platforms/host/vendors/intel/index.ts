// Intel: its GPUs compute through a DRM render node of the i915 or xe driver.
import { marketingName } from '../../parse/pci.ts';
import type { DriverName } from '../../report.ts';
import { gpuReport, verdict, type HostVendor } from '../vendor.ts';

const DRIVERS = ['i915', 'xe'] as const;

export const intel: HostVendor<typeof DRIVERS> = {
  id: 'intel',
  pciVendorIds: ['8086'],
  names: /\bIntel\b|0x8086/i,
  driverNames: DRIVERS,
  analyze({ p, pci, platform }) {
    if (platform !== 'linux') return null;
    const hasRender = p.devices === null || p.devices.some((d) => d.startsWith('/dev/dri/renderD'));
    const gpus = pci.map((dev) => {
      const ours = dev.kernelDriver === 'i915' || dev.kernelDriver === 'xe' ? dev.kernelDriver : null;
      const driver: DriverName = !dev.bindingKnown ? 'unknown' : (ours ?? (dev.kernelDriver ? 'unknown' : 'none'));
      return gpuReport({
        vendor: 'intel',
        model: marketingName(dev.description),
        pciBusId: dev.pciBusId,
        driver: { name: driver, version: null },
        ...(driver === 'i915' || driver === 'xe'
          ? hasRender
            ? verdict('ready', `the ${driver} driver offers a render node`)
            : verdict('missing-node', 'no /dev/dri render node')
          : dev.bindingKnown
            ? verdict('no-driver', 'no Intel graphics driver is loaded for it')
            : verdict('unchecked', 'whether a driver is loaded for it was not recorded')),
      });
    });
    return {
      gpus,
      access: (mine, drm) => {
        for (const g of mine) g.deviceNodes = g.pciBusId ? (drm.get(g.pciBusId) ?? []) : [];
        if (!mine.some((g) => g.usable)) return null;
        return { vendor: 'intel', wsl: false, nodes: [], withheld: [], libraries: [], files: [], folders: [], version: null };
      },
    };
  },
};
