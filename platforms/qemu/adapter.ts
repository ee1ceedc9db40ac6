// Any host: the appliance in a QEMU virtual machine of its own, booted from the guest this ai-way
// carries for the appliance (a kernel and an initramfs, read-only, content-addressed), with no
// network card, no display, no disk and no host folder; the agent's sandbox inside is the engine.
// The accelerator is chosen once per architecture (a test boot proves a hardware one).
import os from 'node:os';
import { asFailure, Failure } from '../../appliance/failures.ts';
import { type CarriedImage, type CarriedImages, pickGuest } from '../../appliance/guest-images.ts';
import type { ImageArch } from '../../appliance/image-policy.ts';
import type { HostFacts } from '../../appliance/host-facts.ts';
import type { Adapter, BootContext, Guest, RunnablePlan } from '../adapter.ts';
import { carriedFilePath, carriedOnce, userCache } from '../carried-images.ts';
import { carriedRoot } from '../package-root.ts';
import { thisLauncher } from '../process-identity.ts';
import { afterProbe, chooseAccelerator } from './accelerator.ts';
import { type Accelerator, dieWithLauncher, probeCommand, qemuProgram, vmCommand } from './command.ts';
import { VmGuest } from './guest.ts';
import { qemuSessions, reapVms } from './reap.ts';
import { CHANNEL_FD, installed, liveKvm, probeBoot, startVm } from './vm-process.ts';

type HostPlatform = HostFacts['host']['platform'];
const HOST: HostPlatform = process.platform === 'darwin' ? 'macos' : process.platform === 'win32' ? 'windows' : 'linux';
const HOST_ARCH: ImageArch | null = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : null;

interface Prepared {
  image: CarriedImage;
  kernel: string;
  initramfs: string;
  initramfsBytes: number;
  accelerator: Accelerator;
}

export function qemuAdapter(): Adapter {
  const root = carriedRoot();
  const images = carriedOnce(root);
  const accelerators = new Map<ImageArch, Promise<{ accelerator: Accelerator; why: string }>>();
  /** The accelerator for guests of this architecture, decided once (its test boot takes any of the arch's kernels). */
  const acceleratorFor = (arch: ImageArch, kernel: () => Promise<string>) => {
    if (!accelerators.has(arch)) {
      const choice = chooseAccelerator({ host: HOST, hostArch: HOST_ARCH, guestArch: arch, kvm: liveKvm() });
      const outcome = choice.probe
        ? kernel().then((k) => probeBoot(prefix(), probeCommand(arch, choice.accelerator, k)))
        : Promise.resolve(null);
      accelerators.set(
        arch,
        outcome.then((o) => afterProbe(choice, o)),
      );
    }
    return accelerators.get(arch)!;
  };
  let setpriv: boolean | null = null;
  const prefix = () => {
    setpriv ??= HOST === 'linux' && installed('setpriv');
    return dieWithLauncher(HOST, setpriv);
  };
  let prepared: Prepared | null = null;

  return {
    id: 'qemu',
    reap: () => reapVms().catch(() => []),
    sessions: () => qemuSessions().catch(() => []),
    prefetch: () => {
      // The test boot of this host's own architecture, while the host is probed; its failure is prepare()'s to report.
      if (!HOST_ARCH) return;
      const arch = HOST_ARCH;
      const kernelOf = async () => kernelPath(await images(), arch, root);
      acceleratorFor(arch, kernelOf).catch(() => undefined);
    },
    async prepare(plan, context) {
      const image = guestFor(await images().catch((e) => Promise.reject(asFailure(e, 'image'))), plan, context);
      const file = (role: 'kernel' | 'initramfs') => {
        const f = image.files.find((x) => x.role === role);
        if (!f) throw new Failure('image', `the ${image.flavor} ${image.arch} guest this ai-way carries has no ${role}`);
        return { path: carriedFilePath(root, f, userCache()), bytes: f.bytes };
      };
      const [kernel, initramfs] = [file('kernel'), file('initramfs')];
      const program = qemuProgram(image.arch);
      if (!installed(program)) {
        throw new Failure('prerequisite', `QEMU is not installed (${program} was not found)`, {
          fix: "install QEMU with your system's package manager",
        });
      }
      const { accelerator } = await acceleratorFor(image.arch, async () => kernel.path);
      prepared = { image, kernel: kernel.path, initramfs: initramfs.path, initramfsBytes: initramfs.bytes, accelerator };
    },
    async start(plan, context) {
      if (!prepared) throw new Error('the QEMU adapter was asked to start before it was prepared');
      return startGuest(plan, context, prepared, prefix());
    },
  };
}

/** The guest for the Plan's appliance, flavour and architecture (another flavour, with a warning, when that is all there is). */
function guestFor(carried: CarriedImages, plan: RunnablePlan, context: BootContext): CarriedImage {
  const pick = pickGuest(carried, plan.appliance.name, plan.image.flavor, plan.image.arch, 'vm');
  if (!pick.image?.boot) throw new Failure('image', pick.warning ?? `the guest for ${plan.appliance.name} says nothing of how it boots`);
  if (pick.warning) context.warning(pick.warning);
  return pick.image;
}

/** A kernel of this architecture's guests, as a real file: what the accelerator's test boot starts. */
function kernelPath(carried: CarriedImages, arch: ImageArch, root: string): string {
  const kernel = carried.images.find((i) => i.format === 'vm' && i.arch === arch)?.files.find((f) => f.role === 'kernel');
  if (!kernel) throw new Failure('image', `this ai-way carries no ${arch} guest`);
  return carriedFilePath(root, kernel, userCache());
}

function startGuest(plan: RunnablePlan, context: BootContext, p: Prepared, prefix: string[]): Guest {
  if (prefix.length === 0 && HOST === 'linux') {
    context.warning('setpriv (util-linux) was not found: if ai-way is killed, its virtual machine runs on until the next start removes it');
  }
  const { resources } = plan;
  const command = vmCommand({
    host: HOST,
    hostCpus: os.availableParallelism(),
    arch: p.image.arch,
    owner: { sessionId: context.sessionId, ...thisLauncher() },
    kernel: p.kernel,
    initramfs: p.initramfs,
    initramfsBytes: p.initramfsBytes,
    channelPort: p.image.boot!.channelPort,
    channelFd: CHANNEL_FD,
    settings: {
      workspaceBytes: resources.workspaceBytes,
      shmBytes: resources.shmBytes,
      memBytes: resources.memBytes,
      pids: resources.pids,
      cpus: resources.cpus,
      accelerator: p.accelerator,
    },
    model: plan.model ? { file: plan.model.file, bytes: plan.model.bytes } : null,
  });
  return new VmGuest(startVm(prefix, command), {
    flavor: p.image.flavor,
    arch: p.image.arch,
    kernel: p.image.boot!.kernelRelease,
    accelerator: p.accelerator,
  });
}
