// AMD ROCm: rocminfo agents and /opt/rocm/.info/version.
import { lines } from '../text.ts';

export interface RocmAgent {
  name: string | null;
  marketingName: string | null;
  deviceType: 'GPU' | 'CPU' | 'other';
}

/** rocminfo prints one "Agent N" block each, with "Name:", "Marketing Name:" and "Device Type:". */
export function parseRocminfo(text: string): RocmAgent[] {
  const agents: RocmAgent[] = [];
  let current: RocmAgent | null = null;
  for (const row of lines(text)) {
    if (/^\*+\s*$/.test(row.trim()) && current) continue;
    if (/^Agent \d+\s*$/.test(row.trim())) {
      current = { name: null, marketingName: null, deviceType: 'other' };
      agents.push(current);
      continue;
    }
    if (!current) continue;
    const m = /^\s{2}(\S[^:]*?):\s*(.*?)\s*$/.exec(row);
    if (!m || /^\s{3,}/.test(row)) continue; // nested pool/ISA sections are indented further
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'Name' && current.name === null) current.name = value || null;
    else if (key === 'Marketing Name' && current.marketingName === null) current.marketingName = value || null;
    else if (key === 'Device Type') current.deviceType = value === 'GPU' ? 'GPU' : value === 'CPU' ? 'CPU' : 'other';
  }
  return agents;
}

/** "6.0.2-115" -> "6.0.2". */
export function parseRocmVersion(text: string): string | null {
  return /^\s*(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1] ?? null;
}
