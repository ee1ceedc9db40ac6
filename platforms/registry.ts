// The ways ai-way can reach Linux, most preferred first: the Plan takes the first that applies to
// the host. Each entry is pure and cheap; an adapter's own code loads only when a launch needs it,
// so `--version` and `doctor` never pay for it.
import type { PlatformAdapter } from '../appliance/plan.ts';
import type { AdapterEntry } from './adapter.ts';
import type { RecordedFile } from './host/probe.ts';
import { linux } from './linux/index.ts';
import { wsl2 } from './wsl2/index.ts';
import { lima } from './lima/index.ts';
import { qemu } from './qemu/index.ts';

export const ADAPTERS: readonly AdapterEntry[] = [linux, wsl2, lima, qemu];

export function adapterEntry(id: PlatformAdapter): AdapterEntry {
  const entry = ADAPTERS.find((a) => a.id === id);
  if (!entry) throw new Error(`no platform adapter is called ${id}`);
  return entry;
}

/** What the host probe records for the adapters. */
export const adapterRecords = (): RecordedFile[] => ADAPTERS.flatMap((a) => a.probes());
