// Native Linux: the appliance's image in Podman, this host's Podman quirks (learned by a canary), the
// engine (Bolt where the Plan says so and it can enforce the isolation, else Podman), the GPU's CDI
// edits, and the container that runs the appliance. Sessions a crash left behind are reaped.
import { randomInt } from 'node:crypto';
import { editsFor } from '../../appliance/cdi.ts';
import { containerName, podmanRunArgs, ROOTFUL_SLOTS, type PodmanGpu, type PodmanProfile } from '../../appliance/engines/podman.ts';
import { asFailure, Failure } from '../../appliance/failures.ts';
import type { ImageSource } from '../../appliance/manifest.ts';
import { askedLimits } from '../../appliance/plan.ts';
import type { Adapter, BootContext, Guest, RunnablePlan } from '../adapter.ts';
import { boltMissingFlags } from './bolt.ts';
import { installSessionSpec, reapSessionSpecs, removeSessionSpec } from './cdi-install.ts';
import { ContainerGuest } from './guest.ts';
import { containerSessions, ensureImage, podmanProfile, reapOrphans, spawnEngine } from './podman.ts';
import { thisLauncher } from '../process-identity.ts';

export function linuxAdapter(): Adapter {
  // Each image is made ready once per launch, whether prefetched or asked for by prepare().
  const images = new Map<string, Promise<string>>();
  const image = (source: ImageSource): Promise<string> => {
    const key = source.kind === 'registry' ? `ref:${source.ref}` : `file:${source.path}`;
    if (!images.has(key)) {
      const ready = ensureImage(source);
      ready.catch(() => undefined); // a failure is prepare()'s to report
      images.set(key, ready);
    }
    return images.get(key)!;
  };
  let prepared: { image: string; profile: PodmanProfile } | null = null;

  return {
    id: 'linux',
    reap: async () => {
      const [containers] = await Promise.all([reapOrphans().catch(() => []), reapSessionSpecs().catch(() => [])]);
      return containers;
    },
    sessions: () => containerSessions().catch(() => []),
    prefetch: (sources) => {
      for (const s of sources) void image(s);
    },
    async prepare(plan, context) {
      const ready = await image(plan.appliance.image).catch((e) => {
        throw asFailure(e, 'image');
      });
      const profile = await podmanProfile(ready, context.host?.tools.podman.version).catch((e) => {
        throw asFailure(e, 'engine');
      });
      prepared = { image: ready, profile };
    },
    async start(plan, context) {
      if (!prepared) throw new Error('the Linux adapter was asked to start before it was prepared');
      return startContainer(plan, context, prepared);
    },
  };
}

async function startContainer(plan: RunnablePlan, context: BootContext, ready: { image: string; profile: PodmanProfile }): Promise<Guest> {
  const engine = await chooseEngine(plan, context);
  const gpu = await gpuFor(plan, context.sessionId);
  try {
    // Bolt gets Podman's `run` without Podman's own global flags; what it does with it is proven from inside.
    // A rootful session's ids: one range of ROOTFUL_SLOTS, by chance (rootless Podman allocates its own).
    const args = podmanRunArgs(engine === 'bolt' ? { ...ready.profile, globalArgs: [] } : ready.profile, {
      sessionId: context.sessionId,
      appliance: plan.appliance.name,
      ...thisLauncher(),
      usernsSlot: randomInt(ROOTFUL_SLOTS),
      image: ready.image,
      command: plan.appliance.command,
      ...askedLimits(plan),
      gpu,
      model: plan.model?.file ?? null,
    });
    return new ContainerGuest(engine, spawnEngine(engine, args), containerName(context.sessionId), gpu?.kind ? context.sessionId : null);
  } catch (e) {
    if (gpu?.kind) await removeSessionSpec(context.sessionId).catch(() => undefined);
    throw e;
  }
}

/** Bolt when the Plan says so and its `run` offers every isolation flag; otherwise Podman, or a refusal. */
async function chooseEngine(plan: RunnablePlan, context: BootContext): Promise<'podman' | 'bolt'> {
  if (plan.engine.name !== 'bolt') return 'podman';
  const { found, missing } = await boltMissingFlags();
  if (found && missing.length === 0) return 'bolt';
  const why = found ? `Bolt cannot enforce the isolation: its "run" has no ${missing.join(', ')}` : 'Bolt was not found';
  if (plan.engine.chosenBy === 'user') {
    throw new Failure(found ? 'isolation' : 'prerequisite', `${why}, so nothing was started`, { fix: 'use --engine podman' });
  }
  context.warning(`${why}; Podman runs the appliance instead`);
  return 'podman';
}

/**
 * The GPU for the engine: rootful Podman reads the Plan's CDI spec, installed for this session only
 * (and removed once the container exists); rootless Podman gets the same edits as flags.
 */
async function gpuFor(plan: RunnablePlan, sessionId: string): Promise<PodmanGpu | null> {
  const cdi = plan.gpu.cdi;
  if (!cdi) return null;
  const edits = editsFor(cdi.spec, cdi.devices);
  if (process.getuid?.() !== 0) return { kind: null, devices: cdi.devices, edits };
  const { kind } = await installSessionSpec(cdi.spec, sessionId).catch((e) => {
    throw new Failure('boot', `the GPU's CDI spec could not be installed: ${(e as Error).message}`);
  });
  return { kind, devices: cdi.devices, edits };
}
