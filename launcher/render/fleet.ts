// The fleet table of `ai-way doctor --bundle DIR` over a folder of support bundles: one row per
// machine, what it is, what it would boot, and what stops it. Pure: reports and Plans in, rows and text out.
import type { Plan } from '../../appliance/plan.ts';
import type { HostReport } from '../../platforms/host/report.ts';
import { terminalText } from './terminal-text.ts';

export interface FleetRow {
  /** The bundle's file or folder name in DIR. */
  bundle: string;
  platform: string | null;
  arch: string | null;
  gpu: string | null;
  driver: string | null;
  /** The Plan's way to Linux, image (flavor/arch) and GPU mode; null: the bundle could not be read. */
  boots: { way: string; image: string; gpuMode: string; gpuReason: string } | null;
  /** What stops it: a missing prerequisite, an error of the Plan, an unreadable bundle. Empty: nothing. */
  blocks: string[];
}

export function fleetRow(bundle: string, report: HostReport, plan: Plan): FleetRow {
  const gpu = report.gpus[0] ?? null;
  const missing = report.prerequisites.filter((p) => p.status === 'missing' && p.required).map((p) => `${p.title}: ${p.detail}`);
  const others = report.gpus.length > 1 ? ` (+${report.gpus.length - 1})` : '';
  return {
    bundle,
    platform: withOs(report.host.platform, report.host.osName),
    arch: report.host.arch,
    gpu: gpu ? `${gpu.model ?? gpu.vendor}${others}` : null,
    driver: gpu && gpu.driver.name !== 'none' ? `${gpu.driver.name} ${gpu.driver.version ?? ''}`.trim() : null,
    boots: {
      way: plan.platform.adapter,
      image: `${plan.image.flavor}/${plan.image.arch}`,
      gpuMode: plan.gpu.mode,
      gpuReason: plan.gpu.reason,
    },
    blocks: [...missing, ...plan.errors.map((e) => e.problem)],
  };
}

// "linux (Debian GNU/Linux 12)"; "windows", not "windows (Windows)".
const withOs = (platform: string, os: string | null) => (os && !os.toLowerCase().startsWith(platform) ? `${platform} (${os})` : platform);

export const unreadableRow = (bundle: string, why: string): FleetRow => ({
  bundle,
  platform: null,
  arch: null,
  gpu: null,
  driver: null,
  boots: null,
  blocks: [why],
});

const HEAD = ['BUNDLE', 'PLATFORM', 'GPU', 'DRIVER', 'WAY', 'IMAGE', 'GPU MODE', 'BLOCKED BY'];

/** Columns padded to their widest cell; the last, free. Text from bundles is made safe for a terminal. */
export function renderFleet(rows: readonly FleetRow[]): string {
  const cells = rows.map((r) => [
    r.bundle,
    [r.platform, r.arch].filter(Boolean).join(' ') || '-',
    r.gpu ?? '-',
    r.driver ?? '-',
    r.boots?.way ?? '-',
    r.boots?.image ?? '-',
    r.boots?.gpuMode ?? '-',
    r.blocks.join('; ') || 'nothing',
  ]);
  const table = [HEAD, ...cells].map((row) => row.map((c) => terminalText(c)));
  const widths = HEAD.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) =>
    row
      .map((c, i) => (i < row.length - 1 ? c.padEnd(widths[i]!) : c))
      .join('  ')
      .trimEnd(),
  );
  const ready = rows.filter((r) => r.blocks.length === 0).length;
  return `${lines.join('\n')}\n\n${ready} of ${rows.length} machines can boot an appliance.\n`;
}
