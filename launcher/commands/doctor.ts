import { chooseImage } from '../../appliance/image-policy.ts';
import { EXIT } from '../exit-codes.ts';
import { bundlesIn, fleetRows } from '../fleet.ts';
import { renderFleet } from '../render/fleet.ts';
import { loadReport } from '../host-source.ts';
import { renderDoctor } from '../render/doctor.ts';
import { adapterNotes } from '../session/ways.ts';
import { styleFor } from '../render/style.ts';
import type { HostReport } from '../../platforms/host/report.ts';

export const missingRequired = (r: HostReport) => r.prerequisites.some((p) => p.status === 'missing' && p.required);

export async function doctorCommand(opts: { json: boolean; bundle?: string }): Promise<number> {
  const fleet = opts.bundle === undefined ? null : await bundlesIn(opts.bundle);
  if (fleet) return fleetCommand(fleet, opts.json);
  const { report, source } = await loadReport(opts.bundle);
  const image = chooseImage(report);
  const notes = adapterNotes(report);
  if (opts.json) {
    const adapters = Object.fromEntries(notes.map(({ id, title, detail, facts }) => [id, { title, detail, ...facts }]));
    process.stdout.write(`${JSON.stringify({ schema: 1, source, ...report, image, adapters }, null, 2)}\n`);
  } else process.stdout.write(renderDoctor(report, image, styleFor(process.stdout), notes));
  return missingRequired(report) ? EXIT.prerequisiteMissing : EXIT.ok;
}

/** A folder of bundles: one row per machine; exit 4 when any machine is blocked, as for one. */
async function fleetCommand(bundles: string[], json: boolean): Promise<number> {
  const rows = await fleetRows(bundles);
  process.stdout.write(json ? `${JSON.stringify({ schema: 1, machines: rows }, null, 2)}\n` : renderFleet(rows));
  return rows.some((r) => r.blocks.length) ? EXIT.prerequisiteMissing : EXIT.ok;
}
