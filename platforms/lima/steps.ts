// What a Lima session runs, phase by phase, for the Plan (appliance/steps.ts): the command lines of
// commands.ts with placeholders for what the run decides (the session, the launcher, the user's
// cache folder, the guest's size), and the vmType as the host facts suggest it (on a Mac the run
// asks sw_vers: vz needs macOS 13.5).
import { action, command, noSteps, PLACEHOLDER, type StepsOf } from '../../appliance/steps.ts';
import { vmName } from '../process-identity.ts';
import { agentScript, createCall, deleteCall, listCall, shellCall, startCall, stopCall, unpackScript } from './commands.ts';

export const limaSteps: StepsOf = (plan, f) => {
  if (!plan.appliance) return noSteps();
  const limactl = 'limactl';
  const home = '<cache>/ai-way/lima';
  const owner = { sessionId: PLACEHOLDER.session, launcherPid: PLACEHOLDER.launcherPid, launcherStart: PLACEHOLDER.launcherStart };
  const name = vmName(owner);
  const mac = f.host.platform === 'macos';
  const vmType = mac && f.host.arch === 'aarch64' && plan.image.arch === 'aarch64' ? 'vz' : 'qemu';
  const r = plan.resources;
  const stuck = 'only if the start failed and `limactl list` says the instance is Broken';
  const agent = agentScript({ shmBytes: r.shmBytes, memBytes: r.memBytes, pids: r.pids, cpus: r.cpus, accelerator: vmType });
  const c = (what: string, call: { argv: string[]; env: Record<string, string> }, when?: string) =>
    command(what, call.argv, call.env, when);
  return {
    prepare: [
      c("Lima's version (1.0 or later)", { argv: [limactl, '--version'], env: {} }),
      ...(mac
        ? [c('the macOS version: vz from 13.5 on Apple Silicon, QEMU otherwise', { argv: ['sw_vers', '-productVersion'], env: {} })]
        : []),
    ],
    start: [
      action(`write <temp folder>/lima.yaml: vmType ${vmType}, Alpine's pinned cloud image, no mounts, no port forwards, no containerd`),
      c('create the instance', createCall(limactl, home, name, '<temp folder>/lima.yaml')),
      c('boot it', startCall(limactl, home, name)),
      c('stop a stuck instance', stopCall(limactl, home, name), stuck),
      c('boot it again', startCall(limactl, home, name), stuck),
      c("unpack the guest (on stdin) into the guest's memory", shellCall(limactl, home, name, unpackScript('<twice the guest size>'))),
    ],
    channel: [c("the agent, on the shell's stdin and stdout", shellCall(limactl, home, name, agent))],
    wipe: [
      action('end the channel: the agent empties the workspace and exits'),
      c('stop the virtual machine and delete it with its disk', deleteCall(limactl, home, name)),
    ],
    reap: [
      c("list ai-way's instances", listCall(limactl, home)),
      action(
        `limactl delete --force each instance named ${vmName({ sessionId: '<session>', launcherPid: '<pid>', launcherStart: '<start>' })}` +
          ' whose launcher is gone',
      ),
    ],
  };
};
