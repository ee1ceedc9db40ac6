// The details view: what runs here and how it is sealed off, from the Plan and, once the appliance
// started, its isolation verdict.
import type { IsolationVerdict } from '../../appliance/isolation.ts';
import type { Plan } from '../../appliance/plan.ts';
import { formatBytes } from '../render/doctor.ts';
import type { UiState } from './state.ts';

export function planDetails(p: Plan, v: IsolationVerdict | null | undefined): UiState['details'] {
  return [
    { label: 'Platform', value: `${p.platform.adapter}: ${p.platform.reason}` },
    { label: 'Image', value: `${p.image.flavor} ${p.image.arch}: ${p.image.reason}` },
    { label: 'Engine', value: `${p.engine.name}: ${p.engine.reason}` },
    {
      label: 'GPU',
      value: p.gpu.mode === 'none' ? `none (${p.gpu.reason})` : `${p.gpu.devices.map((d) => d.model).join(', ')} (${p.gpu.mode})`,
    },
    {
      label: 'Resources',
      value: [
        `${formatBytes(p.resources.memBytes)} memory`,
        `${p.resources.cpus} cores`,
        `${p.resources.pids} processes`,
        `${formatBytes(p.resources.workspaceBytes)} workspace`,
      ].join(', '),
    },
    ...(v
      ? v.facts.map((f) => ({ label: `${f.warning ? '!' : f.ok ? '+' : '-'} ${f.id}`, value: f.detail }))
      : [{ label: 'Isolation', value: 'not checked yet' }]),
    { label: 'Log', value: 'none is kept; after an error, ~/.cache/ai-way/last-error.log' },
  ];
}
