// What each way to Linux says of this host beyond its prerequisites (QEMU: its accelerator and
// what emulation costs), for the doctor, through the registry.
import type { AdapterNote } from '../../platforms/adapter.ts';
import type { HostReport } from '../../platforms/host/report.ts';
import { ADAPTERS } from '../../platforms/registry.ts';

export const adapterNotes = (report: HostReport): (AdapterNote & { id: string })[] =>
  ADAPTERS.flatMap((a) => (a.describe ? [{ id: a.id, ...a.describe(report) }] : []));
