// The Plan: everything ai-way will do, decided up front from host facts and user options.
// Pure and serialisable: the same facts and options always give the same Plan.
import type { HostFacts } from './host-facts.ts';
import { chooseImage, type ImageArch, type ImageChoice, type ImageFlavor } from './image-policy.ts';
import type { ImageSource, Manifest } from './manifest.ts';
import { Failure } from './failures.ts';
import { type GpuPlan, planGpu } from './plan-gpu.ts';
import { planModel, type ModelFound, type PlanModel } from './plan-model.ts';
import type { PlanForSteps, PlatformSteps, StepsOf } from './steps.ts';

export type { GpuPlan } from './plan-gpu.ts';

export interface PlanOptions {
  image: ImageFlavor | 'auto';
  gpu: 'auto' | 'none';
  /** auto: Bolt where it is installed (and can enforce the isolation), else Podman. */
  engine?: 'auto' | 'podman' | 'bolt';
  /** The way to Linux; auto: the first that applies to the host (one with a kernel of its own where a VM is needed). */
  platform?: PlatformAdapter | 'auto';
  /** The appliance's architecture; auto: the host's. Another one runs emulated, in a virtual machine. */
  arch?: ImageArch | 'auto';
  /** vm: a virtual machine with a kernel of its own on every host; auto: as the manifest asks. */
  isolation?: 'auto' | 'vm';
  /** --model NAME|PATH as given; the launcher finds it (ModelFound), the Plan only sees what was found. */
  model?: string;
}

/** The parts of an appliance manifest that the Plan decides by. */
export type ApplianceSpec = Omit<Manifest, 'file' | 'description'>;

export interface PlanAppliance {
  name: string;
  version: string;
  image: ImageSource;
  command: string[];
  port: number;
  ask: string | null;
  /** Where the app says how it runs, and what became of each file; null: it does not. */
  status: string | null;
  documents: string | null;
  workspaceExec: boolean;
  health: Manifest['health'];
  smoke: Manifest['smoke'];
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { image: 'auto', gpu: 'auto' };

export const PLATFORM_ADAPTERS = ['linux', 'wsl2', 'lima', 'qemu'] as const;
export type PlatformAdapter = (typeof PLATFORM_ADAPTERS)[number];

/**
 * What the Plan knows of a way to reach Linux. The platforms layer lists them (platforms/registry.ts),
 * most preferred first; the Plan takes the first that applies to the host.
 */
export interface PlatformCandidate {
  readonly id: PlatformAdapter;
  /** A container on the host's own kernel, or a virtual machine with a kernel of its own. */
  readonly isolation: 'container' | 'vm';
  /** Whether an engine (Podman, Bolt) runs the appliance there, or the agent's own sandbox in a guest does. */
  readonly usesEngine: boolean;
  /** Whether it can pass a model file into the appliance, read-only (Podman binds it; QEMU, a read-only drive). */
  readonly carriesModel: boolean;
  /** The ways it can pass the host's GPU to the appliance; none: it has no GPU path. */
  readonly gpuModes: readonly Exclude<GpuPlan['mode'], 'none'>[];
  /** Why it is the way on this host, in a sentence; null where it is not one. Pure. */
  applicable(f: HostFacts): string | null;
  /** Why it can run here when the user names it, though the Plan never takes it by itself (a better way exists). Pure. */
  whenNamed?(f: HostFacts): string | null;
  /** The command lines each phase of a session will run (appliance/steps.ts). Pure. */
  readonly steps: StepsOf;
}

export interface Plan {
  schema: 1;
  host: { platform: HostFacts['host']['platform']; arch: HostFacts['host']['arch'] };
  /** steps: what each phase will run there, placeholders standing for what only the run knows. */
  platform: { adapter: PlatformAdapter; reason: string; steps: PlatformSteps };
  image: ImageChoice;
  /**
   * chosenBy "user": --engine named it, so it is used or the session fails; "policy": Podman may stand
   * in. none: a way without an engine, where the agent's sandbox in the guest runs the appliance.
   */
  engine: { name: 'podman' | 'bolt' | 'none'; reason: string; chosenBy: 'user' | 'policy' };
  isolation: {
    mode: 'container' | 'vm';
    network: 'none';
    storage: 'tmpfs';
    rootFilesystem: 'read-only';
    capabilities: 'none';
    noNewPrivileges: true;
  };
  gpu: GpuPlan;
  /** The model mounted read-only into the appliance; null: none. */
  model: PlanModel | null;
  /** shmBytes: the app's own /dev/shm, memory it could otherwise hold outside any per-process limit. */
  resources: { memBytes: number; cpus: number; pids: number; workspaceBytes: number; shmBytes: number; source: 'defaults' | 'manifest' };
  /** The appliance to boot; absent when planning without a manifest. */
  appliance?: PlanAppliance;
  warnings: string[];
  /** Why this Plan cannot run (a required GPU missing, no image for this machine); empty when it can. */
  errors: PlanError[];
}

/** Why a Plan cannot run, and what the person can do about it. */
export interface PlanError {
  problem: string;
  fix: string;
}

/** The Plan, when it can start appliance `name`; otherwise a Failure (a prerequisite) with its errors, each fix said once. */
export function startable(plan: Plan, name: string): Plan & { appliance: PlanAppliance } {
  if (plan.appliance && !plan.errors.length) return { ...plan, appliance: plan.appliance };
  const problems = plan.errors.map((e) => e.problem).join('; ') || 'there is no image for this computer';
  throw new Failure('prerequisite', `${name} cannot start here: ${problems}`, {
    fix: [...new Set(plan.errors.map((e) => e.fix))].join('; ') || undefined,
  });
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

export function makePlan(
  platforms: readonly PlatformCandidate[],
  f: HostFacts,
  options: PlanOptions = DEFAULT_PLAN_OPTIONS,
  spec?: ApplianceSpec,
  found: ModelFound = null,
): Plan {
  const warnings: string[] = [];
  const errors: PlanError[] = [];
  const chosen = withArch(chooseImage(f, options.image), options.arch ?? 'auto');
  const way = choosePlatform(platforms, f, { platform: options.platform ?? 'auto', vm: whyVm(f, options, chosen.arch, spec) });
  if (way.problem) errors.push(way.problem);
  const platform = { adapter: way.candidate.id, reason: way.reason };
  const picked = spec ? pickImage(spec, chosen, warnings, errors) : null;
  const image = picked?.choice ?? chosen;
  const gpuOptions = spec && spec.gpu.wish === 'none' ? { ...options, gpu: 'none' as const } : options;
  const noGpu = (reason: string, fix: string) => {
    if (spec?.gpu.wish === 'required') errors.push({ problem: `${spec.name} needs a GPU, and ${reason}`, fix });
  };
  const gpu = planGpu(f, gpuOptions.gpu, image, way.candidate, { warnings, noGpu });
  if (spec?.gpu.wish === 'auto' && gpu.mode === 'none' && options.gpu === 'auto')
    warnings.push(`no GPU for ${spec.name}: it runs on the processor (${gpu.reason})`);
  const plan: PlanForSteps = {
    schema: 1,
    host: { platform: f.host.platform, arch: f.host.arch },
    platform,
    image,
    engine: way.candidate.usesEngine ? chooseEngine(f, options.engine ?? 'auto', errors) : noEngine(way.candidate, options.engine, errors),
    isolation: {
      mode: way.candidate.isolation,
      network: 'none',
      storage: 'tmpfs',
      rootFilesystem: 'read-only',
      capabilities: 'none',
      noNewPrivileges: true,
    },
    gpu: spec?.gpu.wish === 'none' ? { ...gpu, reason: `${spec.name} does not use a GPU` } : gpu,
    model: planModel(found, spec?.name ?? null, way.candidate, errors),
    resources: spec ? manifestResources(f, spec, warnings) : defaultResources(f),
    ...(spec && picked?.source
      ? {
          appliance: {
            name: spec.name,
            version: spec.version,
            image: picked.source,
            command: spec.app.command,
            port: spec.app.port,
            ask: spec.app.ask,
            status: spec.app.status,
            documents: spec.app.documents,
            workspaceExec: spec.workspace.exec,
            health: spec.health,
            smoke: spec.smoke,
          },
        }
      : {}),
    warnings,
    errors,
  };
  return { ...plan, platform: { ...platform, steps: way.candidate.steps(plan, f) } };
}

function chooseEngine(f: HostFacts, wanted: NonNullable<PlanOptions['engine']>, errors: PlanError[]): Plan['engine'] {
  const bolt = `Bolt ${f.tools.bolt.version ?? ''}`.trim();
  if (wanted === 'podman') return { name: 'podman', reason: 'chosen by the user (--engine podman)', chosenBy: 'user' };
  if (wanted === 'bolt') {
    if (!f.tools.bolt.found)
      errors.push({ problem: 'Bolt was not found (bolt --version did not answer)', fix: 'install Bolt, or use --engine podman' });
    return { name: 'bolt', reason: 'chosen by the user (--engine bolt)', chosenBy: 'user' };
  }
  return f.tools.bolt.found
    ? { name: 'bolt', reason: `${bolt} was found (Podman runs the appliance if Bolt cannot enforce the isolation)`, chosenBy: 'policy' }
    : { name: 'podman', reason: 'Bolt was not found; Podman runs the appliance', chosenBy: 'policy' };
}

/** A way whose guest has no engine: the agent's own sandbox runs the appliance; an engine asked for cannot be had. */
function noEngine(way: PlatformCandidate, wanted: PlanOptions['engine'], errors: PlanError[]): Plan['engine'] {
  if (wanted === 'podman' || wanted === 'bolt')
    errors.push({
      problem: `the ${way.id} way runs no engine, so --engine ${wanted} cannot be had there`,
      fix: "leave out --engine: the agent's own sandbox runs the appliance in the guest",
    });
  return { name: 'none', reason: "the agent's own sandbox runs the appliance in the guest", chosenBy: 'policy' };
}

// The policy's flavour if the appliance ships it for this architecture, else another flavour it ships.
function pickImage(
  spec: ApplianceSpec,
  choice: ImageChoice,
  warnings: string[],
  errors: PlanError[],
): { choice: ImageChoice; source: ImageSource | null } {
  const exact = spec.images[choice.flavor]?.[choice.arch];
  if (exact) return { choice, source: exact };
  const other: ImageFlavor = choice.flavor === 'fedora' ? 'alpine' : 'fedora';
  const fallback = spec.images[other]?.[choice.arch];
  if (fallback) {
    warnings.push(`${spec.name} has no ${choice.flavor} image for ${choice.arch}; its ${other} image is used`);
    return {
      choice: {
        ...choice,
        flavor: other,
        rule: `${choice.rule}-fallback`,
        reason: `${spec.name} ships only ${other} for ${choice.arch} (the policy said ${choice.flavor}: ${choice.reason})`,
      },
      source: fallback,
    };
  }
  const ships = [...new Set(Object.values(spec.images).flatMap((byArch) => Object.keys(byArch ?? {})))].sort();
  errors.push({
    problem: `${spec.name} has no image for ${choice.arch} machines`,
    fix: `run it with --arch ${ships.join(' or --arch ')} (another architecture than the computer's runs emulated, in a virtual machine)`,
  });
  return { choice, source: null };
}

function manifestResources(f: HostFacts, spec: ApplianceSpec, warnings: string[]): Plan['resources'] {
  const hostMem = f.host.memBytes;
  let memBytes = spec.resources.memBytes;
  if (hostMem !== null && memBytes > hostMem * 0.75) {
    memBytes = Math.floor((hostMem * 0.75) / MiB) * MiB;
    warnings.push(`${spec.name} asks for more memory than this computer can spare; it gets ${Math.round(memBytes / MiB)} MiB`);
  }
  const cpus = f.host.cpus ? Math.min(spec.resources.cpus, f.host.cpus) : spec.resources.cpus;
  return {
    memBytes,
    cpus,
    pids: spec.resources.pids,
    workspaceBytes: spec.workspace.sizeBytes,
    shmBytes: shmFor(memBytes),
    source: 'manifest',
  };
}

/** What the Plan asks of the way to Linux: one named by the user, and why a virtual machine is needed (null: it is not). */
export interface PlatformWish {
  platform: PlatformAdapter | 'auto';
  vm: string | null;
}

/** Why only a virtual machine will do: VM isolation asked for, or an architecture this host's processor does not run. */
export function whyVm(f: HostFacts, options: PlanOptions, arch: ImageArch, spec?: ApplianceSpec): string | null {
  if (options.isolation === 'vm') return '--isolation vm asks for a virtual machine';
  if (spec?.isolation.mode === 'vm') return `${spec.name} asks for a virtual machine (isolation.mode = "vm")`;
  if (f.host.arch && arch !== f.host.arch) return `an ${arch} appliance runs emulated on this ${f.host.arch} computer`;
  return null;
}

/**
 * The way to reach Linux, and why: the one the user named, else the first that applies to this host
 * (the first with a kernel of its own when a virtual machine is needed). `problem`: why it cannot run here.
 */
export function choosePlatform(
  platforms: readonly PlatformCandidate[],
  f: HostFacts,
  wish: PlatformWish = { platform: 'auto', vm: null },
): { candidate: PlatformCandidate; reason: string; problem?: PlanError } {
  if (wish.platform !== 'auto') {
    const candidate = platforms.find((p) => p.id === wish.platform);
    if (!candidate) throw new Error(`no platform adapter is called ${wish.platform}`);
    const applies = candidate.applicable(f) ?? candidate.whenNamed?.(f) ?? null;
    const reason = `chosen by the user (--platform ${candidate.id})${applies ? `: ${applies}` : ''}`;
    if (applies === null) {
      const problem = `the ${candidate.id} way does not run on a ${f.host.platform} computer`;
      return { candidate, reason, problem: { problem, fix: 'leave out --platform: ai-way takes the way this computer has' } };
    }
    if (wish.vm && candidate.isolation !== 'vm') {
      const vm = platforms.find((p) => p.isolation === 'vm' && p.applicable(f) !== null);
      const problem = `${wish.vm}, and the ${candidate.id} way has no virtual machine`;
      return {
        candidate,
        reason,
        problem: { problem, fix: vm ? `use --platform ${vm.id}, or leave out --platform` : 'leave out --platform' },
      };
    }
    return { candidate, reason };
  }
  for (const candidate of platforms) {
    if (wish.vm && candidate.isolation !== 'vm') continue;
    const reason = candidate.applicable(f);
    if (reason !== null) return { candidate, reason: wish.vm ? `${reason}; ${wish.vm}` : reason };
  }
  // The registry has a way for every host ai-way runs on; a list without one is a programming error.
  throw new Error(`none of the platform adapters (${platforms.map((p) => p.id).join(', ')}) applies to a ${f.host.platform} host`);
}

/** The policy's image, for the architecture the user named. */
function withArch(choice: ImageChoice, arch: ImageArch | 'auto'): ImageChoice {
  if (arch === 'auto' || arch === choice.arch) return choice;
  return { ...choice, arch, reason: `${choice.reason}; ${arch} chosen by the user (--arch ${arch})` };
}

function defaultResources(f: HostFacts): Plan['resources'] {
  const hostMem = f.host.memBytes ?? 4 * GiB;
  // Half the memory (at least 1 GiB, at most 32 GiB) and all cores but one: the desktop stays responsive.
  const memBytes = Math.floor(Math.min(Math.max(hostMem / 2, GiB), 32 * GiB) / MiB) * MiB;
  return {
    memBytes,
    cpus: Math.max(1, (f.host.cpus ?? 2) - 1),
    pids: 512,
    workspaceBytes: Math.floor(Math.min(memBytes / 4, 4 * GiB) / MiB) * MiB,
    shmBytes: shmFor(memBytes),
    source: 'defaults',
  };
}

/** The limits the Plan asks for the appliance: given to the engine, then proven from inside. */
export const askedLimits = (plan: Pick<Plan, 'resources'> & { appliance: PlanAppliance }) => ({
  workspaceBytes: plan.resources.workspaceBytes,
  workspaceExec: plan.appliance.workspaceExec,
  memBytes: plan.resources.memBytes,
  shmBytes: plan.resources.shmBytes,
  cpus: plan.resources.cpus,
  pids: plan.resources.pids,
});

/** A quarter of the memory, at most 64 MiB (what container engines give by default), at least 1 MiB. */
export const shmFor = (memBytes: number) => Math.max(MiB, Math.floor(Math.min(memBytes / 4, 64 * MiB) / MiB) * MiB);
