// The Plan in plain words.
import type { Plan } from '../../appliance/plan.ts';
import { STEP_PHASES, commandLine } from '../../appliance/steps.ts';
import { formatBytes } from './doctor.ts';
import type { Style } from './style.ts';

export function renderPlan(p: Plan, s: Style): string {
  const gpu =
    p.gpu.mode === 'none'
      ? `none (${p.gpu.reason})`
      : `${p.gpu.devices.map((d) => d.model ?? p.gpu.vendor).join(', ')} via ${p.gpu.mode === 'wsl' ? 'WSL2' : 'CDI'} (${p.gpu.reason})`;
  const rows: [string, string][] = [
    ...(p.appliance ? [['Appliance', `${p.appliance.name} ${p.appliance.version}`] as [string, string]] : []),
    ['Runs on', `${p.platform.adapter} (${p.platform.reason})`],
    ['Image', `${p.image.flavor} ${p.image.arch} (${p.image.reason})`],
    ['Engine', `${p.engine.name} (${p.engine.reason})`],
    ['Isolation', `${p.isolation.mode}; no network, memory-only storage, read-only root, no capabilities`],
    ['GPU', gpu],
    ...(p.model ? [['Model', `${p.model.name}, ${formatBytes(p.model.bytes)}, read-only (${p.model.file})`] as [string, string]] : []),
    [
      'Resources',
      [
        `${formatBytes(p.resources.memBytes)} memory`,
        `${p.resources.cpus} ${p.resources.cpus === 1 ? 'core' : 'cores'}`,
        `${p.resources.pids} processes`,
        `${formatBytes(p.resources.workspaceBytes)} workspace`,
        `${formatBytes(p.resources.shmBytes)} shared memory`,
      ].join(', '),
    ],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => `  ${s.bold(k.padEnd(w))}  ${v}`);
  out.push(...stepLines(p, s, w));
  for (const warning of p.warnings) out.push(s.yellow(`  warning: ${warning}`));
  return `${out.join('\n')}\n`;
}

/** Each phase's commands, one line each, cut to the window's usual width; `plan --json` has them whole. */
function stepLines(p: Plan, s: Style, w: number): string[] {
  const out: string[] = [];
  for (const phase of STEP_PHASES) {
    for (const step of p.platform.steps[phase]) {
      const text = step.argv ? commandLine({ what: step.what, argv: step.argv }) : step.what;
      const line = `${out.length ? '' : 'Steps'.padEnd(w)}`.padEnd(w);
      out.push(`  ${s.bold(line)}  ${phase.padEnd(7)} ${clip(text, 96)}`);
    }
  }
  return out;
}

const clip = (t: string, n: number) => (t.length > n ? `${t.slice(0, n - 3)}...` : t);
