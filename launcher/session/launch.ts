// One way to start an appliance, for the terminal UI and headless runs alike: the manifest and the
// host looked at together, the Plan and the way to Linux it chose, then a Session on that adapter.
// What needs no Plan starts first: the adapter this host most likely takes reaps the leftovers of
// crashed sessions and readies the appliance's images while the host is probed.
import { asFailure, Failure } from '../../appliance/failures.ts';
import type { Manifest } from '../../appliance/manifest.ts';
import {
  type ApplianceSpec,
  choosePlatform,
  makePlan,
  whyVm,
  type Plan,
  type PlanOptions,
  type PlatformAdapter,
  startable,
} from '../../appliance/plan.ts';
import type { Adapter, RunnablePlan } from '../../platforms/adapter.ts';
import type { HostReport } from '../../platforms/host/report.ts';
import { modelFor, modelsDir } from '../../platforms/host/model-store.ts';
import type { ModelFound } from '../../appliance/plan-model.ts';
import { ADAPTERS, adapterEntry } from '../../platforms/registry.ts';
import { loadAppliance } from '../appliance-source.ts';
import { hostBeforeProbe, loadReport } from '../host-source.ts';
import type { SessionEvent } from './events.ts';
import { Session } from './session.ts';

/** The Plan for these host facts, among the ways to Linux this version knows: what `run` would follow. */
export const planFor = (report: HostReport, options: PlanOptions, spec?: ApplianceSpec, model?: ModelFound): Plan =>
  makePlan(ADAPTERS, report, options, spec, model);

/** The model for `spec` (--model, else its default) from the person's store or a path: a fact for the Plan. */
export const findModel = (options: PlanOptions, spec: Pick<Manifest, 'model'>): Promise<ModelFound> =>
  modelFor(modelsDir(), options.model, spec.model);

/** This host, as probed now, and the appliance's manifest (or why it cannot be read). */
export interface Examined {
  report: HostReport;
  spec: Manifest | Failure;
}

interface EarlyWork {
  id: PlatformAdapter;
  adapter: Promise<Adapter>;
  reaping: Promise<string[]>;
}

export class Launch {
  private early: EarlyWork | null = null;
  private model: ModelFound = null;

  constructor(
    private readonly appliance: string,
    private readonly options: PlanOptions,
  ) {}

  /** Reads the manifest and probes the host, at once; each call probes again (a recheck sees what was fixed). */
  async examine(): Promise<Examined> {
    const spec = loadAppliance(this.appliance);
    this.early ??= startEarly(spec, this.options);
    const [{ report }, manifest] = await Promise.all([loadReport(undefined), spec.catch((e: unknown) => asFailure(e, 'manifest'))]);
    if (manifest instanceof Failure) return { report, spec: manifest };
    try {
      this.model = await findModel(this.options, manifest);
    } catch (e) {
      return { report, spec: asFailure(e, 'model') }; // a --model file that is no model: said as the manifest's problems are
    }
    return { report, spec: manifest };
  }

  /**
   * The Plan for this host, if the appliance can start here: otherwise a Failure (prerequisite) says
   * what is missing, the chosen adapter's prerequisites first. `warn` hears the Plan's warnings.
   */
  plan(report: HostReport, spec: Manifest, warn: (message: string) => void = () => undefined): RunnablePlan {
    const plan = planFor(report, this.options, spec, this.model);
    const [missing] = adapterEntry(plan.platform.adapter).check(report);
    if (missing) {
      const fix = `${missing.fix ?? ''} ${missing.fixCommand ?? ''}`.trim();
      throw new Failure('prerequisite', missing.detail, fix ? { fix: `${fix[0]!.toLowerCase()}${fix.slice(1)}` } : {});
    }
    for (const w of plan.warnings) warn(w);
    return startable(plan, spec.name);
  }

  /** A Session of the Plan on the adapter it chose (the early one, when the guess was right); not booted yet. */
  async session(plan: RunnablePlan, report: HostReport, emit: (e: SessionEvent) => void): Promise<Session> {
    const early = this.early?.id === plan.platform.adapter ? this.early : null;
    const adapter = await (early?.adapter ?? adapterEntry(plan.platform.adapter).load());
    return new Session(plan, adapter, emit, { reaping: early?.reaping, host: report });
  }
}

/** The adapter the Plan will most likely choose, from what is known of the host before the probe, at work already. */
function startEarly(spec: Promise<Manifest>, options: PlanOptions): EarlyWork {
  const host = hostBeforeProbe();
  const arch = options.arch && options.arch !== 'auto' ? options.arch : (host.host.arch ?? 'x86_64');
  const id = choosePlatform(ADAPTERS, host, { platform: options.platform ?? 'auto', vm: whyVm(host, options, arch) }).candidate.id;
  const adapter = adapterEntry(id).load();
  const reaping = adapter.then((a) => a.reap()).catch(() => []);
  void Promise.all([adapter, spec])
    .then(([a, s]) => a.prefetch(Object.values(s.images).flatMap((byArch) => (arch && byArch?.[arch] ? [byArch[arch]] : []))))
    .catch(() => undefined); // a manifest that cannot be read is examine()'s to report
  return { id, adapter, reaping };
}
