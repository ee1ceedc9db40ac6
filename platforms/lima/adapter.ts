// macOS (and any host with Lima): the appliance in a Lima virtual machine of its own, one instance
// per session in ai-way's own LIMA_HOME. Lima boots its pinned Alpine cloud image; the guest this
// ai-way carries (its root filesystem: the agent, the appliance's root, its settings) is streamed in
// and unpacked into memory, and the agent runs there on the stdio of `limactl shell`. Its sandbox is
// the engine and the air gap: Lima's own user-mode network stays outside the app's namespace.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asFailure, Failure } from '../../appliance/failures.ts';
import { type CarriedImage, type CarriedImages, pickGuest } from '../../appliance/guest-images.ts';
import type { ImageArch } from '../../appliance/image-policy.ts';
import type { Adapter, BootContext, Guest, RunnablePlan } from '../adapter.ts';
import { carriedFilePath, loadCarriedImages, userCache } from '../carried-images.ts';
import { MIN_LIMA, versionAtLeast } from '../host/analyze/prerequisites.ts';
import { parseLimaList, parseToolVersion } from '../host/parse/tools.ts';
import { carriedRoot } from '../package-root.ts';
import { thisLauncher, vmName } from '../process-identity.ts';
import { agentScript, createCall, deleteCall, type LimaCall, listCall, shellCall, startCall, stopCall, unpackScript } from './commands.ts';
import { type LimaHost, limaYaml, type VmType, vmTypeFor } from './config.ts';
import { LimaGuest } from './guest.ts';
import { limactlProgram, limaHome, runLima, spawnLima } from './limactl.ts';
import { limaProblem, startProgress } from './output.ts';
import { instanceSessions, reapInstances } from './reap.ts';

const HOST_ARCH: ImageArch | null = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : null;
// Lima downloads its image on the first start, and boots; a start past this is stuck.
const START_TIMEOUT_MS = 15 * 60_000;

interface Prepared {
  image: CarriedImage;
  rootfs: string;
  rootfsBytes: number;
  vmType: VmType;
}

export function limaAdapter(): Adapter {
  const root = carriedRoot();
  let carried: Promise<CarriedImages> | null = null;
  const images = () => (carried ??= loadCarriedImages(root));
  const limactl = limactlProgram();
  const home = limaHome();
  let prepared: Prepared | null = null;
  const run = (c: LimaCall, o?: Parameters<typeof runLima>[1]) => runLima(c, o);
  const remove = async (name: string) => (await run(deleteCall(limactl, home, name)).catch(() => null))?.code === 0;

  return {
    id: 'lima',
    reap: () => reapInstances(async () => (await run(listCall(limactl, home))).stdout, remove).catch(() => []),
    sessions: async () => instanceSessions((await run(listCall(limactl, home)).catch(() => null))?.stdout ?? '[]'),
    prefetch: () => undefined,
    async prepare(plan, context) {
      const image = guestFor(await images().catch((e) => Promise.reject(asFailure(e, 'image'))), plan, context);
      const file = image.files.find((f) => f.role === 'rootfs');
      if (!file) throw new Failure('image', `the ${image.flavor} ${image.arch} guest this ai-way carries has no root filesystem`);
      checkVersion(context.host?.tools.limactl.version ?? (await run({ argv: [limactl, '--version'], env: {} })).stdout);
      const host: LimaHost = { arch: HOST_ARCH, macos: macosVersion() };
      prepared = { image, rootfs: carriedFilePath(root, file, userCache()), rootfsBytes: file.bytes, vmType: vmTypeFor(host, image.arch) };
    },
    async start(plan, context) {
      if (!prepared) throw new Error('the Lima adapter was asked to start before it was prepared');
      const name = vmName({ sessionId: context.sessionId, ...thisLauncher() });
      const log: string[] = [];
      try {
        return await boot(plan, context, prepared, name, log);
      } catch (e) {
        await remove(name);
        throw asFailure(e, 'boot');
      }
    },
  };

  async function boot(plan: RunnablePlan, context: BootContext, p: Prepared, name: string, log: string[]): Promise<Guest> {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const onLine = (line: string) => {
      log.push(line);
      const said = startProgress(line);
      if (said) context.progress?.(said);
    };
    const r = plan.resources;
    const folder = mkdtempSync(path.join(os.tmpdir(), 'ai-way-lima-'));
    try {
      const yaml = path.join(folder, 'lima.yaml');
      writeFileSync(
        yaml,
        limaYaml({ vmType: p.vmType, arch: p.image.arch, cpus: r.cpus, appBytes: r.memBytes, guestBytes: p.rootfsBytes }),
      );
      must(await run(createCall(limactl, home, name, yaml), { onLine }), 'create its virtual machine');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    await startOrRecover(name, onLine);
    const unpacked = must(
      await run(shellCall(limactl, home, name, unpackScript(p.rootfsBytes)), { input: p.rootfs, onLine }),
      'copy the guest into its virtual machine',
    );
    const kernel = unpacked.stdout.trim().split('\n').pop() ?? 'unknown';
    const settings = { shmBytes: r.shmBytes, memBytes: r.memBytes, pids: r.pids, cpus: r.cpus, accelerator: p.vmType };
    const shell = spawnLima(shellCall(limactl, home, name, agentScript(settings)));
    const machine = { flavor: p.image.flavor, arch: p.image.arch, kernel, accelerator: p.vmType };
    return new LimaGuest(shell, machine, log, async () => {
      await remove(name);
    });
  }

  /** Starts the instance; one stuck from before (Broken) is force-stopped and started again. */
  async function startOrRecover(name: string, onLine: (line: string) => void): Promise<void> {
    const first = await run(startCall(limactl, home, name), { onLine, timeoutMs: START_TIMEOUT_MS });
    if (first.code === 0) return;
    const listed = parseLimaList((await run(listCall(limactl, home))).stdout).find((i) => i.name === name);
    if (listed?.status !== 'Broken') must(first, 'start its virtual machine');
    await run(stopCall(limactl, home, name), { onLine });
    must(await run(startCall(limactl, home, name), { onLine, timeoutMs: START_TIMEOUT_MS }), 'start its virtual machine');
  }
}

/** A call's result when it succeeded; else the Failure, with what to do. */
function must<T extends { code: number | null; stderr: string }>(r: T, what: string): T {
  if (r.code === 0) return r;
  const { message, fix } = limaProblem(what, r.code, r.stderr);
  throw new Failure('boot', message, { fix });
}

function checkVersion(answer: string | null): void {
  const version = answer === null ? null : (parseToolVersion(answer) ?? answer);
  if (versionAtLeast(version, MIN_LIMA) === false) {
    throw new Failure('prerequisite', `Lima ${version} is older than ${MIN_LIMA.join('.')}, the oldest that reads ai-way's settings`, {
      fix: 'update Lima: brew upgrade lima',
    });
  }
}

/** This Mac's macOS version; null on another system. */
function macosVersion(): string | null {
  if (process.platform !== 'darwin') return null;
  const r = spawnSync('sw_vers', ['-productVersion'], { encoding: 'utf8', timeout: 5_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The guest for the Plan's appliance, flavour and architecture (another flavour, with a warning, when that is all there is). */
function guestFor(carried: CarriedImages, plan: RunnablePlan, context: BootContext): CarriedImage {
  const pick = pickGuest(carried, plan.appliance.name, plan.image.flavor, plan.image.arch, 'wsl-rootfs');
  if (!pick.image) throw new Failure('image', pick.warning ?? `this ai-way carries no guest for ${plan.appliance.name}`);
  if (pick.warning) context.warning(pick.warning);
  return pick.image;
}
