// The details view: what runs here and how it is sealed off, from the Plan and, once the appliance
// started, its isolation verdict.
import type { IsolationVerdict } from '../../appliance/isolation.ts';
import type { Plan } from '../../appliance/plan.ts';
import { formatBytes } from '../render/doctor.ts';
import type { AppStatus } from '../session/app-api.ts';
import type { UiState } from './state.ts';

/** What the app says of itself: its model, where it computes (cpu, cuda, vulkan), its last speed, and every warning. */
export function appDetails(a: AppStatus | null): UiState['details'] {
  if (!a) return [];
  return [
    ...(a.model === null ? [] : [{ label: 'Model', value: a.model }]),
    ...(a.backend === null ? [] : [{ label: 'Backend', value: a.backend }]),
    {
      label: 'Speed',
      value: a.lastTokensPerSecond === null ? 'no answer yet' : `${a.lastTokensPerSecond.toFixed(1)} tokens/s (the last answer)`,
    },
    ...(a.threads === null ? [] : [{ label: 'Threads', value: String(a.threads) }]),
    ...(a.contextSize === null ? [] : [{ label: 'Context', value: `${a.contextSize} tokens` }]),
    ...a.warnings.map((w) => ({ label: '! Warning', value: w })),
  ];
}

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
