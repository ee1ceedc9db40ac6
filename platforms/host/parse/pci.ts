// PCI devices as lspci and the kernel (sysfs uevent) describe them.
import { lines, normalizePciBusId } from '../text.ts';

export interface PciDevice {
  pciBusId: string;
  /** Four hex digits, e.g. "0300" (VGA), "0302" (3D), "0380" (display). */
  classCode: string | null;
  vendorId: string | null;
  deviceId: string | null;
  /** What lspci calls it ("NVIDIA Corporation GA102 [GeForce RTX 3090]"); null from sysfs. */
  description: string | null;
  /** The driver bound to it; null when none is. */
  kernelDriver: string | null;
  /** Whether the binding was recorded at all (sysfs, or lspci -k); `lspci -nn` does not say. */
  bindingKnown: boolean;
  kernelModules: string[];
}

/** Display controllers (class 03) and processing accelerators (class 12). */
export const isGpuClass = (classCode: string | null): boolean => classCode !== null && /^(03|12)/.test(classCode);

// A device's line: its slot ([domain:]bus:device.function), then what it is; a pasted line may lead with a space.
const DEVICE_LINE = /^\s?((?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\s+(.*)$/;

/**
 * `lspci -nnk` (also tolerates -k, -nn and plain). Device lines start with a slot;
 * indented lines after it belong to it.
 */
export function parseLspci(text: string): PciDevice[] {
  const devices: PciDevice[] = [];
  let current: PciDevice | null = null;
  for (const row of lines(text)) {
    const head = DEVICE_LINE.exec(row);
    if (head) {
      const busId = normalizePciBusId(head[1]);
      current = busId ? describeLspciLine(busId, head[2]!) : null;
      if (current) devices.push(current);
      continue;
    }
    if (!current || !/^\s/.test(row)) continue;
    const driver = /^\s+Kernel driver in use:\s*(\S+)/.exec(row);
    if (driver) current.kernelDriver = driver[1]!;
    const modules = /^\s+Kernel modules:\s*(.+)$/.exec(row);
    if (modules)
      current.kernelModules = modules[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  }
  // -k prints these lines for every device with a driver or a module: without any, it was not asked.
  const withK = devices.some((d) => d.kernelDriver !== null || d.kernelModules.length > 0);
  return devices.map((d) => ({ ...d, bindingKnown: withK }));
}

// "VGA compatible controller [0300]: NVIDIA Corporation GA102 [GeForce RTX 3090] [10de:2204] (rev a1)"
function describeLspciLine(pciBusId: string, rest: string): PciDevice {
  const colon = rest.indexOf(': ');
  const classPart = colon >= 0 ? rest.slice(0, colon) : '';
  let description = colon >= 0 ? rest.slice(colon + 2) : rest;
  const classCode = /\[([0-9a-fA-F]{4})\]\s*$/.exec(classPart)?.[1]?.toLowerCase() ?? classFromName(classPart);
  const ids = /\s\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\](?=\s*(?:\(|$))/.exec(description);
  if (ids) description = description.slice(0, ids.index) + description.slice(ids.index + ids[0].length);
  description = description.replace(/\s*\((?:rev|prog-if) [^)]*\)/g, '').trim();
  return {
    pciBusId,
    classCode,
    vendorId: ids?.[1]?.toLowerCase() ?? null,
    deviceId: ids?.[2]?.toLowerCase() ?? null,
    description: description || null,
    kernelDriver: null,
    bindingKnown: false,
    kernelModules: [],
  };
}

function classFromName(name: string): string | null {
  if (/^VGA compatible controller/i.test(name)) return '0300';
  if (/^3D controller/i.test(name)) return '0302';
  if (/^Display controller/i.test(name)) return '0380';
  if (/^Processing accelerators/i.test(name)) return '1200';
  return null;
}

/** /sys/bus/pci/devices/<id>/uevent: DRIVER=, PCI_CLASS=30000, PCI_ID=10DE:2204, PCI_SLOT_NAME=. */
export function parsePciUevent(text: string): PciDevice | null {
  const kv = new Map<string, string>();
  for (const row of lines(text)) {
    const eq = row.indexOf('=');
    if (eq > 0) kv.set(row.slice(0, eq), row.slice(eq + 1).trim());
  }
  const pciBusId = normalizePciBusId(kv.get('PCI_SLOT_NAME'));
  if (!pciBusId) return null;
  const pciClass = kv.get('PCI_CLASS');
  const id = /^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$/.exec(kv.get('PCI_ID') ?? '');
  return {
    pciBusId,
    classCode: pciClass && /^[0-9a-fA-F]{1,6}$/.test(pciClass) ? pciClass.padStart(6, '0').slice(0, 4).toLowerCase() : null,
    vendorId: id?.[1]?.toLowerCase() ?? null,
    deviceId: id?.[2]?.toLowerCase() ?? null,
    description: null,
    kernelDriver: kv.get('DRIVER') || null,
    bindingKnown: true,
    kernelModules: [],
  };
}

// lspci names the maker first, with its short name in brackets ("Advanced Micro Devices, Inc. [AMD/ATI]").
const MAKER = /^[^[]*?\b(?:Corporation|Inc\.|Co\., Ltd\.|Ltd\.)\s*(?:\[[^\]]*\]\s*)?/;

/** The marketing name lspci shows in the last brackets: "GA102 [GeForce RTX 3090]" -> "GeForce RTX 3090". */
export function marketingName(description: string | null): string | null {
  if (!description) return null;
  const product = description.replace(MAKER, '');
  const last = [...product.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!).at(-1);
  if (last) return last;
  const plain = product.trim();
  return plain && !/^Device(?: [0-9a-f]{4})?$/i.test(plain) ? plain : null; // an id pci.ids does not know yet
}
