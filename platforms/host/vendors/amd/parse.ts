// AMD ROCm: rocminfo agents and /opt/rocm/.info/version.
import { lines } from '../../text.ts';

export interface RocmAgent {
  name: string | null;
  marketingName: string | null;
  deviceType: 'GPU' | 'CPU' | 'other';
  uuid: string | null;
  /** A GPU's first coarse-grained global pool: its own memory (VRAM, or an APU's carve-out). */
  vramBytes: number | null;
}

/** rocminfo prints one "Agent N" block each: "Name:", "Marketing Name:", "Device Type:", "Uuid:", pools. */
export function parseRocminfo(text: string): RocmAgent[] {
  const agents: RocmAgent[] = [];
  let current: RocmAgent | null = null;
  let inVramPool = false;
  for (const row of lines(text)) {
    if (/^Agent \d+\s*$/.test(row.trim())) {
      current = { name: null, marketingName: null, deviceType: 'other', uuid: null, vramBytes: null };
      agents.push(current);
      continue;
    }
    if (!current) continue;
    const m = /^(\s*)(\S[^:]*?):\s*(.*?)\s*$/.exec(row);
    if (!m) continue;
    const [, lead, key, value] = m as unknown as [string, string, string, string];
    if (lead.length > 2) {
      // pool sections are indented further
      if (key === 'Segment') inVramPool = /GLOBAL/.test(value) && /COARSE GRAINED/.test(value) && !/EXTENDED/.test(value);
      const kb = /^(\d+)/.exec(value)?.[1];
      if (key === 'Size' && inVramPool && current.deviceType === 'GPU' && current.vramBytes === null && kb)
        current.vramBytes = Number(kb) * 1024;
      continue;
    }
    if (key === 'Name' && current.name === null) current.name = value || null;
    else if (key === 'Marketing Name' && current.marketingName === null) current.marketingName = value || null;
    else if (key === 'Uuid' && /^GPU-/.test(value) && !/^GPU-X+$/.test(value)) current.uuid = value;
    else if (key === 'Device Type') current.deviceType = value === 'GPU' ? 'GPU' : value === 'CPU' ? 'CPU' : 'other';
  }
  return agents;
}

/** "6.0.2-115" -> "6.0.2". */
export function parseRocmVersion(text: string): string | null {
  return /^\s*(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1] ?? null;
}
