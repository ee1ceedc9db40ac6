// The checklist the person sees first: this computer's prerequisites that matter, in plain words,
// each result revealed after the one before, as if read in turn.
import type { HostReport } from '../../platforms/host/report.ts';
import { formatBytes } from '../render/doctor.ts';
import { checkLabel, plainFix } from './labels.ts';
import type { Check, Store } from './state.ts';

const REVEAL_MS = 60; // checks appear one after another, as they are read

/** The one line shown while this computer is looked at. */
export const LOOKING: Check = {
  id: 'probe',
  label: 'Looking at this computer',
  status: 'pending',
  detail: '',
  fix: null,
  fixCommand: null,
};

/** Shows the report's checks pending, then each one's result in turn; resolves once all are shown. */
export async function revealChecks(store: Store, report: HostReport): Promise<void> {
  const shown = report.prerequisites.filter((p) => p.status !== 'not-needed' || p.id === 'gpu-driver');
  const checks: Check[] = shown.map((p) => ({
    id: p.id,
    label: checkLabel(p.id),
    status: 'pending',
    detail: '',
    fix: p.status === 'missing' ? plainFix(p) : null,
    fixCommand: p.fixCommand,
    howTo: p.fix,
  }));
  store.update(() => ({ checks }));
  for (const [i, p] of shown.entries()) {
    await new Promise((r) => setTimeout(r, REVEAL_MS));
    store.update((s) => ({
      checks: s.checks.map((c, j) => (j === i ? { ...c, status: p.status, detail: plainDetail(p.id, p.status, report) } : c)),
    }));
  }
  store.update(() => ({ checksDone: true }));
}

function plainDetail(id: string, status: string, r: HostReport): string {
  if (id === 'memory') return r.host.memBytes ? formatBytes(r.host.memBytes) : 'unknown';
  if (id === 'gpu-driver') {
    const g = r.gpus.find((x) => x.usable);
    return g
      ? `${g.model ?? 'a graphics card'} will be used`
      : r.gpus.length
        ? 'not usable: answers come from the processor'
        : 'none: answers come from the processor';
  }
  return status === 'ok' ? 'ready' : status === 'missing' ? 'missing' : status === 'unknown' ? 'could not be checked' : 'not needed';
}
