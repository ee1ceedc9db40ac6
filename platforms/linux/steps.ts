// What a Linux session runs, phase by phase, for the Plan (appliance/steps.ts): Podman's own words,
// from the same functions the adapter runs them with. Assumed here, since only the run can tell:
// rootless Podman, and this host's quirks as the first canary variant (a later variant adds
// --runtime runc, --cgroup-manager cgroupfs or a nofile limit, and those then come first).
import { editsFor } from '../../appliance/cdi.ts';
import { containerName, type PodmanProfile, podmanRunArgs } from '../../appliance/engines/podman.ts';
import { askedLimits } from '../../appliance/plan.ts';
import { action, command, noSteps, PLACEHOLDER, type PlatformSteps, type StepsOf } from '../../appliance/steps.ts';
import { canaryArgs, imageExistsArgs, listSessionsArgs, loadArgs, PODMAN_ENV, removeArgs } from './commands.ts';

const FIRST_VARIANT: PodmanProfile = { globalArgs: [], nofileUlimit: false, userns: 'auto' };

export const linuxSteps: StepsOf = (plan) => {
  const app = plan.appliance;
  if (!app) return noSteps();
  const file = app.image.kind === 'oci-archive' ? app.image.path : null;
  const image = app.image.kind === 'oci-archive' ? `<image id of ${app.image.path}>` : app.image.ref;
  const engine = plan.engine.name === 'bolt' ? 'bolt' : 'podman';
  const podman = (what: string, args: string[], when?: string) => command(what, ['podman', ...args], { ...PODMAN_ENV }, when);
  const cdi = plan.gpu.cdi;
  const run = podmanRunArgs(engine === 'bolt' ? { ...FIRST_VARIANT, globalArgs: [] } : FIRST_VARIANT, {
    sessionId: PLACEHOLDER.session,
    launcherPid: PLACEHOLDER.launcherPid,
    launcherStart: PLACEHOLDER.launcherStart,
    usernsSlot: 0,
    image,
    command: app.command,
    ...askedLimits({ resources: plan.resources, appliance: app }),
    gpu: cdi ? { kind: null, devices: cdi.devices, edits: editsFor(cdi.spec, cdi.devices) } : null,
    model: plan.model?.file ?? null,
  });
  const name = containerName(PLACEHOLDER.session);
  const steps: PlatformSteps = {
    prepare: [
      podman('is the image loaded', imageExistsArgs(image)),
      ...(file ? [podman('load the image', loadArgs(file), 'only if Podman does not have it')] : []),
      podman('the canary: learn what this Podman needs', canaryArgs(FIRST_VARIANT, image), 'only if no earlier run learned it'),
    ],
    start: [command('start the appliance', [engine, ...run], { ...PODMAN_ENV })],
    channel: [action(`the agent's channel: the standard input and output of ${engine} run -i`)],
    wipe: [
      action('end the channel: the agent empties the workspace and exits'),
      podman('remove the container', removeArgs(name), 'only if it is still there after the grace period'),
    ],
    reap: [
      podman("list ai-way's containers", listSessionsArgs()),
      podman('remove a container whose launcher is gone', removeArgs('<container>'), 'for each such container'),
    ],
  };
  return steps;
};
