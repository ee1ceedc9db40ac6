import { makePlan, type PlanOptions } from '../../appliance/plan.ts';
import { EXIT } from '../exit-codes.ts';
import { loadReport } from '../host-source.ts';
import { renderPlan } from '../render/plan.ts';
import { styleFor } from '../render/style.ts';

export async function planCommand(opts: { json: boolean; bundle?: string } & PlanOptions): Promise<number> {
  const { report } = await loadReport(opts.bundle);
  const plan = makePlan(report, { image: opts.image, gpu: opts.gpu });
  process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan, styleFor(process.stdout)));
  return EXIT.ok;
}
