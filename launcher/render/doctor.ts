// The doctor's checklist in plain words.
import { gpuLabel, type HostReport, type Prerequisite } from '../../platforms/host/report.ts';
import type { ImageChoice } from '../../appliance/image-policy.ts';
import type { Style } from './style.ts';

const GiB = 1024 ** 3;
const PLATFORM_NAME = { linux: 'Linux', wsl2: 'Linux in WSL2', macos: 'macOS', windows: 'Windows' } as const;

export function formatBytes(n: number | null): string {
  if (n === null) return 'unknown';
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`;
  for (const [unit, size] of [
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= size) return `${(n / size).toFixed(n >= 10 * size ? 0 : 1)} ${unit}`;
  }
  return `${n} B`;
}

/** `notes`: what the ways to Linux say of this host (QEMU's accelerator), each on a line of its own. */
export function renderDoctor(
  r: HostReport,
  image: ImageChoice,
  s: Style,
  notes: readonly { title: string; detail: string }[] = [],
): string {
  const h = r.host;
  const out: string[] = [];
  const os = h.osName && h.osName !== PLATFORM_NAME[h.platform] ? ` (${h.osName})` : '';
  out.push(
    s.bold(
      [
        `${PLATFORM_NAME[h.platform]}${os}`,
        h.arch ?? 'unknown processor type',
        `${formatBytes(h.memBytes)} memory`,
        `${h.cpus ?? '?'} ${h.cpus === 1 ? 'core' : 'cores'}`,
      ].join(', '),
    ),
    '',
  );
  const shown = r.prerequisites.filter((p) => p.status !== 'not-needed' || p.id === 'gpu-driver');
  const width = Math.max(...shown.map((p) => p.title.length));
  for (const p of shown) out.push(...renderPrerequisite(p, width, s));
  out.push('', r.gpus.length ? '  Graphics:' : '  Graphics: none found');
  for (const g of r.gpus) {
    const vram = g.vramBytes === null ? '' : `, ${formatBytes(g.vramBytes)}`;
    const driver = `${g.driver.name}${g.driver.version ? ` ${g.driver.version}` : ''}`;
    out.push(`    ${g.usable ? s.green(s.ok) : s.dim(s.skip)} ${gpuLabel(g)}${vram} (${driver}): ${g.reason}`);
  }
  out.push(`  Appliance image: ${image.flavor === 'fedora' ? 'Fedora' : 'Alpine'} ${image.arch}, because ${image.reason}`);
  for (const n of notes) out.push(`  ${n.title}: ${n.detail}`);
  if (r.notes.length) out.push('', '  Notes:', ...r.notes.map((n) => s.dim(`    - ${n}`)));
  const missing = r.prerequisites.filter((p) => p.status === 'missing' && p.required);
  out.push(
    '',
    missing.length === 0
      ? s.green('Everything ai-way needs is in place.')
      : s.red(`${missing.length === 1 ? 'One thing needs' : `${missing.length} things need`} fixing before ai-way can start.`),
  );
  return `${out.join('\n')}\n`;
}

function renderPrerequisite(p: Prerequisite, width: number, s: Style): string[] {
  const mark =
    p.status === 'ok'
      ? s.green(s.ok)
      : p.status === 'missing'
        ? p.required
          ? s.red(s.bad)
          : s.yellow(s.bad)
        : p.status === 'unknown'
          ? s.yellow(s.unknown)
          : s.dim(s.skip);
  const lines = [`  ${mark} ${p.title.padEnd(width)}  ${p.detail}`];
  const pad = ' '.repeat(width + 6);
  if (p.status !== 'ok' && p.fix) lines.push(`${pad}${s.bold('Fix:')} ${p.fix}`);
  if (p.status !== 'ok' && p.fixCommand) lines.push(`${pad}     ${s.bold(p.fixCommand)}`);
  return lines;
}
