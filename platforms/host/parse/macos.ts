// macOS: system_profiler SPDisplaysDataType (text and -json) and sysctl.
import { lines, parseSize, toInt } from '../text.ts';

export interface MacGpu {
  model: string | null;
  /** The maker as system_profiler names it ("Intel", "sppci_vendor_Apple", "AMD (0x1002)"). */
  vendorName: string | null;
  /** Its PCI vendor id, where system_profiler gives one ("AMD (0x1002)", "Vendor ID: 0x80ee"). */
  vendorId: string | null;
  vramBytes: number | null;
  cores: number | null;
  builtIn: boolean | null;
}

/**
 * `system_profiler SPDisplaysDataType`: each GPU's fields start with "Chipset Model:" and share its
 * indentation; deeper lines (its displays) and shallower ones (the next GPU's title) are not its fields.
 */
export function parseSystemProfilerText(text: string): MacGpu[] {
  const gpus: MacGpu[] = [];
  let fields: Map<string, string> | null = null;
  let indent = -1;
  const flush = () => {
    if (fields)
      gpus.push(
        macGpu(
          fields.get('Chipset Model') ?? null,
          fields.get('Vendor') ?? fields.get('Vendor ID') ?? null,
          fields.get('VRAM (Total)') ?? fields.get('VRAM (Dynamic, Max)') ?? fields.get('VRAM') ?? null,
          fields.get('Total Number of Cores') ?? null,
          fields.get('Bus') ?? null,
        ),
      );
    fields = null;
  };
  for (const row of lines(text)) {
    const field = /^(\s*)(\S[^:]*):\s*(.*?)\s*$/.exec(row);
    if (!field) continue;
    const [, lead, key, value] = field as unknown as [string, string, string, string];
    if (key === 'Chipset Model') {
      flush();
      fields = new Map();
      indent = lead.length;
    }
    if (!fields) continue;
    if (lead.length < indent) flush();
    else if (lead.length === indent && value !== '') fields.set(key, value);
  }
  flush();
  return gpus;
}

function macGpu(model: string | null, vendorName: string | null, vram: string | null, cores: string | null, bus: string | null): MacGpu {
  return {
    model,
    vendorName,
    vendorId: /\b0x([0-9a-f]{4})\b/i.exec(vendorName ?? '')?.[1]?.toLowerCase() ?? null,
    vramBytes: parseSize(vram),
    cores: toInt(cores),
    builtIn: bus === null ? null : /built-?in/i.test(bus),
  };
}

/** `system_profiler SPDisplaysDataType -json`. */
export function parseSystemProfilerJson(text: string): MacGpu[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const items = (doc as { SPDisplaysDataType?: unknown })?.SPDisplaysDataType;
  if (!Array.isArray(items)) return [];
  return items
    .filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null)
    .map((i) => {
      const s = (k: string) => (typeof i[k] === 'string' ? (i[k] as string) : null);
      return macGpu(
        s('sppci_model') ?? s('_name'),
        s('spdisplays_vendor') ?? s('sppci_vendor'),
        s('spdisplays_vram') ?? s('spdisplays_vram_shared') ?? s('_spdisplays_vram'),
        s('sppci_cores'),
        s('sppci_bus'),
      );
    });
}

/** `sysctl name` ("name: value") or `sysctl -n name` ("value"). */
export function parseSysctlValue(text: string, name: string): string | null {
  const row = lines(text).find((l) => l.trim() !== '');
  if (row === undefined) return null;
  const prefixed = row.startsWith(`${name}:`) ? row.slice(name.length + 1) : row.startsWith(`${name} =`) ? row.slice(name.length + 2) : row;
  return prefixed.trim() || null;
}
