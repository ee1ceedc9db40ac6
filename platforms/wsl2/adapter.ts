// Windows: the appliance in a WSL2 distribution of its own per session, imported from the guest's
// wsl-rootfs tarball this ai-way carries, under the user's local app data; the agent started in it
// by `wsl.exe --exec` (its stdio is the channel), its sandbox keeping the app off WSL's network.
// WSL's state is read first, by exit codes and untranslated codes (state.ts), so a missing piece
// is said with its fix before anything is made.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { asFailure, Failure } from '../../appliance/failures.ts';
import { type CarriedImage, type CarriedImages, pickGuest } from '../../appliance/guest-images.ts';
import type { Adapter, BootContext, Guest, RunnablePlan } from '../adapter.ts';
import { carriedFilePath, carriedOnce, userCache } from '../carried-images.ts';
import { parseWslVersion } from '../host/parse/windows.ts';
import { makeFolders } from '../make-folders.ts';
import { carriedRoot } from '../package-root.ts';
import { thisLauncher } from '../process-identity.ts';
import { agentArgs, distroName, distrosFolder, importArgs, STATUS_ARGS, VERSION_ARGS, WSL_ACCELERATOR, WSL_GPU } from './command.ts';
import { WslGuest } from './guest.ts';
import { distroNames, distroSessions, reapDistros } from './reap.ts';
import { WSL_FIXES, wslState } from './state.ts';
import { findWsl, lastLines, runWsl, wslEnv } from './wsl-exe.ts';

/** The user's local app data (Windows sets LOCALAPPDATA; elsewhere its usual place). */
const localAppData = () => process.env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local');

/** An import unpacks the tarball into a new virtual disk: tens of MiB take seconds, a slow disk more. */
const IMPORT_TIMEOUT_MS = 300_000;

/** What prepare() found: wsl.exe, the guest, its tarball in the cache, WSL's kernel. */
type Prepared = { exe: string; image: CarriedImage; tarball: string; kernel: string };

export function wsl2Adapter(): Adapter {
  const root = carriedRoot();
  const images = carriedOnce(root);
  let prepared: Prepared | null = null;

  return {
    id: 'wsl2',
    reap: async () => {
      try {
        return await reapDistros(findWsl(), localAppData());
      } catch {
        return [];
      }
    },
    sessions: async () => {
      try {
        return distroSessions(await distroNames(findWsl()));
      } catch {
        return [];
      }
    },
    prefetch: () => undefined, // the tarball is read by wsl.exe itself, at the import
    async prepare(plan, context) {
      // WSL first: without it, no guest could help, and its fix is what the person needs.
      const exe = findWsl();
      const kernel = await readyWsl(exe);
      const all = await images().catch((e) => Promise.reject(asFailure(e, 'image')));
      const image = guestFor(all, plan, context);
      const file = image.files.find((f) => f.role === 'rootfs');
      if (!file) throw new Failure('image', `the ${image.flavor} ${image.arch} guest this ai-way carries has no root filesystem`);
      prepared = { exe, image, tarball: carriedFilePath(root, file, userCache()), kernel };
    },
    async start(plan, context) {
      if (!prepared) throw new Error('the WSL2 adapter was asked to start before it was prepared');
      return startDistro(plan, context, prepared);
    },
  };
}

/** WSL's state, by `--status` and `--version`; its kernel's version when it is ready, else a Failure with the fix. */
async function readyWsl(exe: string): Promise<string> {
  const status = await runWsl(exe, STATUS_ARGS);
  refuse(wslState('status', status.text, status.exit), status.text);
  const version = await runWsl(exe, VERSION_ARGS);
  refuse(wslState('version', version.text, version.exit), version.text);
  return parseWslVersion(version.text, version.exit).kernelVersion ?? 'unknown';
}

function refuse(state: ReturnType<typeof wslState>, text: string): void {
  if (state === 'ready' || state === 'failed') return; // a failure without a known cause shows at the import
  const { problem, fix } = WSL_FIXES[state];
  throw new Failure('prerequisite', problem, { fix, detail: lastLines(text) });
}

function guestFor(carried: CarriedImages, plan: RunnablePlan, context: BootContext): CarriedImage {
  const pick = pickGuest(carried, plan.appliance.name, plan.image.flavor, plan.image.arch, 'wsl-rootfs');
  if (!pick.image) throw new Failure('image', pick.warning ?? `this ai-way carries no WSL guest for ${plan.appliance.name}`);
  if (pick.warning) context.warning(pick.warning);
  return pick.image;
}

async function startDistro(plan: RunnablePlan, context: BootContext, p: Prepared): Promise<Guest> {
  const name = distroName({ sessionId: context.sessionId, ...thisLauncher() });
  const folder = path.join(distrosFolder(localAppData(), path.join), name);
  await makeFolders(folder).catch((e) => Promise.reject(asFailure(e, 'boot')));
  const imported = await runWsl(p.exe, importArgs(name, folder, p.tarball), IMPORT_TIMEOUT_MS);
  if (imported.exit !== 0) {
    await rm(folder, { recursive: true, force: true });
    const state = wslState('other', imported.text, imported.exit);
    const known = state === 'ready' || state === 'failed' ? null : WSL_FIXES[state];
    throw new Failure(known ? 'prerequisite' : 'boot', known?.problem ?? 'WSL could not make the appliance its distribution', {
      ...(known ? { fix: known.fix } : {}),
      detail:
        lastLines(imported.text) || (imported.timedOut ? 'wsl --import did not finish in time' : `wsl --import exit ${imported.exit}`),
    });
  }
  const { resources: r, appliance: app } = plan;
  const gpu = plan.gpu.mode === 'wsl' ? WSL_GPU : { devices: [], folders: [] };
  const args = agentArgs(name, {
    ...r,
    workspaceExec: app.workspaceExec,
    devices: gpu.devices,
    folders: gpu.folders,
    command: app.command,
  });
  // Its own process group: a Ctrl-C at the terminal is the launcher's to handle, with a wipe.
  const child = spawn(p.exe, args, { stdio: ['pipe', 'pipe', 'pipe'], env: wslEnv(), detached: true, windowsHide: true });
  return new WslGuest(
    child,
    { exe: p.exe, name, folder },
    { flavor: p.image.flavor, arch: p.image.arch, kernel: p.kernel, accelerator: WSL_ACCELERATOR },
  );
}
