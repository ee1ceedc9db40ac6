// A folder of support bundles (folders or .tar.gz, one per machine), read as a fleet: each bundle
// analysed and planned as `doctor --bundle` and `plan --bundle` would, one failing bundle never
// hiding the others.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_PLAN_OPTIONS } from '../appliance/plan.ts';
import { analyzeHost } from '../platforms/host/analyze.ts';
import { readBundle } from '../platforms/host/bundle.ts';
import { fleetRow, unreadableRow, type FleetRow } from './render/fleet.ts';
import { planFor } from './session/launch.ts';

// What every bundle has at its root (platforms/host/bundle.ts): a folder with it is one bundle.
const BUNDLE_MARK = 'host.json';

/** The bundles in `dir`, sorted; null when `dir` is itself a bundle (or not a folder): one machine. */
export async function bundlesIn(dir: string): Promise<string[] | null> {
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) return null;
  const names = await readdir(dir);
  if (names.includes(BUNDLE_MARK)) return null;
  const found: string[] = [];
  for (const name of names.sort()) {
    const full = path.join(dir, name);
    if (name.endsWith('.tar.gz')) {
      // A bundle and its archive side by side (as `bundle collect` writes them) are one machine.
      if (!names.includes(name.slice(0, -'.tar.gz'.length))) found.push(full);
    } else if ((await stat(path.join(full, BUNDLE_MARK)).catch(() => null))?.isFile()) found.push(full);
  }
  return found.length ? found : null;
}

export async function fleetRows(bundles: readonly string[]): Promise<FleetRow[]> {
  const rows: FleetRow[] = [];
  for (const b of bundles) {
    const name = path.basename(b);
    try {
      const report = analyzeHost(await readBundle(b));
      rows.push(fleetRow(name, report, planFor(report, DEFAULT_PLAN_OPTIONS)));
    } catch (e) {
      rows.push(unreadableRow(name, (e as Error).message));
    }
  }
  return rows;
}
