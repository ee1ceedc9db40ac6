// What a WSL2 session runs, phase by phase, for the Plan (appliance/steps.ts): wsl.exe's words from
// command.ts, with Windows' own variables for the folders (%LOCALAPPDATA%, %ProgramFiles%) and
// placeholders for what only the run knows.
import { action, command, noSteps, PLACEHOLDER, type PlatformSteps, type StepsOf } from '../../appliance/steps.ts';
import {
  agentArgs,
  distroName,
  distrosFolder,
  importArgs,
  listArgs,
  STATUS_ARGS,
  terminateArgs,
  unregisterArgs,
  VERSION_ARGS,
  WSL_ENV,
  WSL_GPU,
  wslCandidates,
} from './command.ts';

export const wsl2Steps: StepsOf = (plan, f) => {
  const app = plan.appliance;
  if (!app) return noSteps();
  const [store, inbox] = wslCandidates({ ProgramFiles: '%ProgramFiles%', SystemRoot: '%SystemRoot%' });
  // A recorded version is the Store WSL's: only it answers --version.
  const exe = f.tools.wsl?.version ? store! : inbox!;
  const wsl = (what: string, args: readonly string[], when?: string) => command(what, [exe, ...args], { ...WSL_ENV }, when);
  const name = distroName({
    sessionId: PLACEHOLDER.session,
    launcherPid: PLACEHOLDER.launcherPid,
    launcherStart: PLACEHOLDER.launcherStart,
  });
  const folder = `${distrosFolder('%LOCALAPPDATA%')}\\${name}`;
  const tarball = `<the ${plan.image.flavor} ${plan.image.arch} guest's wsl-rootfs tarball>`;
  const gpu = plan.gpu.mode === 'wsl' ? WSL_GPU : { devices: [], folders: [] };
  const r = plan.resources;
  const agent = agentArgs(name, {
    workspaceBytes: r.workspaceBytes,
    workspaceExec: app.workspaceExec,
    shmBytes: r.shmBytes,
    memBytes: r.memBytes,
    pids: r.pids,
    cpus: r.cpus,
    devices: gpu.devices,
    folders: gpu.folders,
    command: app.command,
  });
  const steps: PlatformSteps = {
    prepare: [
      action(`find wsl.exe: ${store}, else ${inbox}`),
      wsl("WSL's state", STATUS_ARGS),
      wsl("WSL's version and kernel", VERSION_ARGS),
    ],
    start: [wsl('import the private distribution', importArgs(name, folder, tarball))],
    channel: [wsl("start the agent: its standard input and output are the agent's channel", agent)],
    wipe: [
      action('end the channel: the agent empties the workspace and exits'),
      action('kill that wsl.exe', 'only if it still runs after the grace period'),
      wsl('stop the distribution', terminateArgs(name)),
      wsl('remove the distribution and its disk', unregisterArgs(name)),
      action(`remove ${folder}`),
    ],
    reap: [
      wsl('list the distributions', listArgs()),
      wsl('stop a distribution whose launcher is gone', terminateArgs('<distribution>'), 'for each ai-way-* one whose launcher is gone'),
      wsl('remove it', unregisterArgs('<distribution>'), 'for each such one'),
      action(`remove the folders under ${distrosFolder('%LOCALAPPDATA%')} whose launcher is gone`),
    ],
  };
  return steps;
};
