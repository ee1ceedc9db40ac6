// `ai-way export boltfile`: the appliance, as this host's Plan would start it, as a Boltfile.
import { writeFile } from 'node:fs/promises';
import { stringify } from 'smol-toml';
import { boltfile } from '../../appliance/boltfile.ts';
import { startable, type PlanOptions } from '../../appliance/plan.ts';
import { Failure } from '../../appliance/failures.ts';
import { EXIT } from '../exit-codes.ts';
import { loadReport } from '../host-source.ts';
import { planFor } from '../session/launch.ts';
import { loadAppliance } from '../appliance-source.ts';

export async function exportBoltfileCommand(opts: { appliance: string; bundle?: string; output?: string } & PlanOptions): Promise<number> {
  const manifest = await loadAppliance(opts.appliance);
  const { report } = await loadReport(opts.bundle);
  const plan = planFor(report, { image: opts.image, gpu: opts.gpu }, manifest);
  const runnable = startable(plan, manifest.name);
  for (const w of plan.warnings) process.stderr.write(`ai-way: warning: ${w}\n`);
  const header = `# ${manifest.name} ${manifest.version} for Bolt, written by ai-way from this host's plan.`;
  const text = `${header}\n${stringify(boltfile(runnable))}\n`;
  if (!opts.output) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  try {
    await writeFile(opts.output, text, { flag: 'wx' });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Failure('output', `cannot write ${opts.output} (${why})`, { fix: 'choose a new file name' });
  }
  process.stderr.write(`ai-way: wrote ${opts.output}\n`);
  return EXIT.ok;
}
