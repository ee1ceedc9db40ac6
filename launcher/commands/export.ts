// `ai-way export boltfile`: the appliance, as this host's Plan would start it, as a Boltfile.
// `ai-way export kubernetes`: the appliance as a cluster would run it (appliance/kubernetes.ts).
import { writeFile } from 'node:fs/promises';
import { stringify } from 'smol-toml';
import { boltfile } from '../../appliance/boltfile.ts';
import { startable, type PlanOptions } from '../../appliance/plan.ts';
import { Failure } from '../../appliance/failures.ts';
import { KNOWN_VENDORS, type KnownVendor, vendorTraits } from '../../appliance/gpu-vendors.ts';
import type { ImageArch } from '../../appliance/image-policy.ts';
import { kubernetesObjects, pullableImage, type KubeOptions } from '../../appliance/kubernetes.ts';
import { toYaml } from '../../appliance/yaml.ts';
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
  return emit(`${header}\n${stringify(boltfile(runnable))}\n`, opts.output);
}

export interface KubernetesExportOptions {
  appliance: string;
  output?: string;
  image?: PlanOptions['image'];
  arch?: ImageArch | 'auto';
  /** --gpu as written: a count, or none. */
  gpu?: string;
  vendor?: string;
  runtimeClass?: string;
  imageRef?: string;
  modelClaim?: string;
}

export async function exportKubernetesCommand(opts: KubernetesExportOptions): Promise<number> {
  const manifest = await loadAppliance(opts.appliance);
  const arch: ImageArch = opts.arch && opts.arch !== 'auto' ? opts.arch : 'x86_64';
  const image = pullableImage(manifest, opts.image ?? 'auto', arch, opts.imageRef);
  if ('problem' in image)
    throw new Failure('prerequisite', image.problem, {
      fix: 'copy it to a registry the cluster reaches (skopeo copy oci-archive:FILE docker://REF) and give --image-ref REF',
    });
  if (manifest.model && !opts.modelClaim)
    throw new Failure('usage', `${manifest.name} reads a model at /model/model.gguf`, {
      fix: 'give --model-claim NAME: a PersistentVolumeClaim with model.gguf at its root',
    });
  const k: KubeOptions = {
    imageRef: image.ref,
    arch,
    gpu: gpuAsked(opts.gpu, opts.vendor),
    runtimeClass: opts.runtimeClass ?? null,
    modelClaim: manifest.model ? (opts.modelClaim ?? null) : null,
  };
  const header = `# ${manifest.name} ${manifest.version} for Kubernetes, written by ai-way: kubectl apply -f FILE`;
  return emit(`${header}\n${kubernetesObjects(manifest, k).map(toYaml).join('')}`, opts.output);
}

function gpuAsked(gpu: string | undefined, vendor: string | undefined): KubeOptions['gpu'] {
  if (gpu === undefined || gpu === 'none' || gpu === '0') return null;
  if (!/^[1-9]\d{0,2}$/.test(gpu)) throw new Failure('usage', `--gpu must be a number of GPUs, or none (got "${gpu}")`, { fix: '--gpu 1' });
  // The first maker with a device plugin, unless --vendor names one.
  const plugins = KNOWN_VENDORS.filter((v) => vendorTraits(v).kubeResource !== null);
  const v = (vendor ?? plugins[0]) as KnownVendor;
  const resource = vendorTraits(v).kubeResource;
  if (!resource)
    throw new Failure('usage', `Kubernetes has no GPU resource for ${v} that ai-way knows`, { fix: `--vendor ${plugins.join('|')}` });
  return { count: Number(gpu), resource };
}

/** The text on standard output, or in a new file (an existing one is never overwritten). */
async function emit(text: string, output: string | undefined): Promise<number> {
  if (!output) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  try {
    await writeFile(output, text, { flag: 'wx' });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Failure('output', `cannot write ${output} (${why})`, { fix: 'choose a new file name' });
  }
  process.stderr.write(`ai-way: wrote ${output}\n`);
  return EXIT.ok;
}
