// What a QEMU session runs, phase by phase, for the Plan (appliance/steps.ts): the command lines of
// command.ts with placeholders for what the build and the run decide (the guest's kernel and
// initramfs in the cache, the initramfs's size in the memory, the session and the launcher), and the
// accelerator as the host facts suggest it (a test boot first proves a hardware one).
import { action, command, noSteps, PLACEHOLDER, type PlatformSteps, type StepsOf } from '../../appliance/steps.ts';
import { chooseAccelerator, kvmState } from './accelerator.ts';
import { CHANNEL_FD, dieWithLauncher, probeCommand, vmCommand, vmName } from './command.ts';

/** The virtio-serial port every guest this build carries names (packaging/guest/compose.ts). */
const PORT = 'ai-way';

export const qemuSteps: StepsOf = (plan, f) => {
  if (!plan.appliance) return noSteps();
  const { arch, flavor } = plan.image;
  const kernel = `<kernel of the ${flavor} ${arch} guest>`;
  const initramfs = `<initramfs of the ${flavor} ${arch} guest>`;
  const kvm = kvmState({ device: f.host.kvm?.device ?? null, writable: null, modules: f.host.kvm?.modules ?? null });
  const choice = chooseAccelerator({ host: f.host.platform, hostArch: f.host.arch, guestArch: arch, kvm });
  // setpriv (util-linux) is assumed where the host is Linux; without it QEMU would not die with the launcher.
  const prefix = dieWithLauncher(f.host.platform, true);
  const owner = { sessionId: PLACEHOLDER.session, launcherPid: PLACEHOLDER.launcherPid, launcherStart: PLACEHOLDER.launcherStart };
  const r = plan.resources;
  const vm = vmCommand({
    host: f.host.platform,
    hostCpus: f.host.cpus,
    arch,
    owner,
    kernel,
    initramfs,
    initramfsBytes: 0,
    channelPort: PORT,
    channelFd: CHANNEL_FD,
    settings: {
      workspaceBytes: r.workspaceBytes,
      shmBytes: r.shmBytes,
      memBytes: r.memBytes,
      pids: r.pids,
      cpus: r.cpus,
      accelerator: choice.accelerator,
    },
    model: plan.model ? { file: plan.model.file, bytes: plan.model.bytes } : null,
  });
  const m = vm.indexOf('-m') + 1;
  vm[m] = `<${vm[m]} + the initramfs's size>`; // the model's size is in it already
  const steps: PlatformSteps = {
    prepare: choice.probe
      ? [
          command(
            `a test boot that proves ${choice.accelerator} boots a kernel`,
            [...prefix, ...probeCommand(arch, choice.accelerator, kernel)],
            {},
            `once per architecture; if it fails, tcg stands in for ${choice.accelerator} below`,
          ),
        ]
      : [],
    start: [command('start the virtual machine', [...prefix, ...vm])],
    channel: [action(`the agent's channel: the virtio-serial port ${PORT}, on a socket QEMU inherits as descriptor ${CHANNEL_FD}`)],
    wipe: [
      action('end the channel: the agent empties the workspace and the guest powers off'),
      action('kill QEMU', 'only if it still runs after the grace period'),
    ],
    reap: [
      action(
        `kill each QEMU named ${vmName({ sessionId: '<session>', launcherPid: '<pid>', launcherStart: '<start>' })} whose launcher is gone`,
      ),
    ],
  };
  return steps;
};
