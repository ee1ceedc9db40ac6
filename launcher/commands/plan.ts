import { startable, type PlanOptions } from '../../appliance/plan.ts';
import { loadAppliance } from '../appliance-source.ts';
import { EXIT } from '../exit-codes.ts';
import { loadReport } from '../host-source.ts';
import { findModel, planFor } from '../session/launch.ts';
import { renderPlan } from '../render/plan.ts';
import { styleFor } from '../render/style.ts';

/** The Plan `run` would follow for this appliance here (or on a bundle's computer): the same manifest, the same choices. */
export async function planCommand(opts: { json: boolean; bundle?: string; appliance: string } & PlanOptions): Promise<number> {
  const [manifest, { report }] = await Promise.all([loadAppliance(opts.appliance), loadReport(opts.bundle)]);
  const plan = planFor(report, opts, manifest, await findModel(opts, manifest));
  process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan, styleFor(process.stdout)));
  startable(plan, manifest.name);
  return EXIT.ok;
}
