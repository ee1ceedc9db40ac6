// `ai-way` with no command: the doctor's checklist and the Plan, from one probe.
import { chooseImage } from '../../appliance/image-policy.ts';
import { makePlan } from '../../appliance/plan.ts';
import { EXIT } from '../exit-codes.ts';
import { loadReport } from '../host-source.ts';
import { renderDoctor } from '../render/doctor.ts';
import { renderPlan } from '../render/plan.ts';
import { styleFor } from '../render/style.ts';
import { missingRequired } from './doctor.ts';

export async function overviewCommand(): Promise<number> {
  const { report } = await loadReport(undefined);
  const style = styleFor(process.stdout);
  process.stdout.write(renderDoctor(report, chooseImage(report), style));
  process.stdout.write(`\nThe appliance would start like this:\n${renderPlan(makePlan(report), style)}`);
  process.stdout.write('\nStarting the appliance is not built into this version yet; "ai-way run" says so too.\n');
  return missingRequired(report) ? EXIT.prerequisiteMissing : EXIT.ok;
}
