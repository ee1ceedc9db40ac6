// `ai-way gpu cdi`: this host's (or a bundle's) GPUs as a CDI spec, checked against the CDI rules
// before it is written. JSON loads in every CDI reader (Podman, nvbind); YAML is what nvidia-ctk writes.
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCdiSpec } from '../../appliance/cdi.ts';
import { PASSABLE_VENDORS, type PassableVendor } from '../../appliance/gpu-vendors.ts';
import { cdiProblems } from '../../appliance/cdi-rules.ts';
import { gpuLabel } from '../../platforms/host/report.ts';
import { makeFolders } from '../../platforms/make-folders.ts';
import { Failure } from '../../appliance/failures.ts';
import { EXIT } from '../exit-codes.ts';
import { loadReport } from '../host-source.ts';
import { toYaml } from '../../appliance/yaml.ts';

export interface GpuCdiOptions {
  bundle?: string;
  format?: 'json' | 'yaml';
  output?: string;
  vendor?: PassableVendor;
}

export async function gpuCdiCommand(opts: GpuCdiOptions): Promise<number> {
  const { report } = await loadReport(opts.bundle);
  const usable = report.gpus.filter((g) => g.usable);
  const vendor = opts.vendor ?? PASSABLE_VENDORS.find((v) => usable.some((g) => g.vendor === v));
  if (!vendor) {
    const why = report.gpus.map((g) => `${gpuLabel(g)}: ${g.reason}`).join('; ') || 'no GPU was found';
    throw new Failure('prerequisite', `no GPU here can be passed to an appliance (${why})`);
  }
  const spec = buildCdiSpec(report, vendor);
  const problems = cdiProblems(spec);
  if (problems.length) throw new Error(`the generated CDI spec breaks the CDI rules: ${problems.join('; ')}`);
  const format = opts.format ?? (opts.output && /\.json$/i.test(opts.output) ? 'json' : 'yaml');
  const text = format === 'json' ? `${JSON.stringify(spec, null, 2)}\n` : toYaml(spec as never);
  if (!opts.output) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  await writeAtomically(opts.output, text);
  process.stderr.write(`ai-way: wrote ${spec.kind} (${spec.devices.map((d) => d.name).join(', ')}) to ${opts.output}\n`);
  return EXIT.ok;
}

// A CDI reader watching the folder never sees half a spec.
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await makeFolders(path.dirname(file));
    await writeFile(temp, text, { mode: 0o644 });
    await rename(temp, file);
  } catch (e) {
    throw new Failure('output', `cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      fix: 'choose another --output, or run with the rights to write there',
    });
  }
}
