// Sessions of the WSL2 adapter on this Linux machine, through the wsl.exe stand-in
// (wsl-exe-stand-in.mjs): the adapter's own code imports the real guest's wsl-rootfs tarball, starts
// the real agent in it and wipes it. The Plan is made for a Windows host with this machine's
// resources; LOCALAPPDATA and the stand-in's state are folders of the test's own.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makePlan, startable } from '../../appliance/plan.ts';
import { loadAppliance } from '../../launcher/appliance-source.ts';
import { loadReport } from '../../launcher/host-source.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import { noGuestRoot } from './guest-boot.ts';

export const WSL_STAND_IN = path.join(import.meta.dirname, 'wsl-exe-stand-in.mjs');

/** Why the stand-in cannot run here (it mounts and makes namespaces: root only), or null. */
export const wslStandInUnavailable = (): string | null =>
  process.getuid?.() === 0 ? noGuestRoot('x86_64') : 'the wsl.exe stand-in needs root';

/** Points the adapter at the stand-in, with folders of its own; gives them and a way back. */
export function useWslStandIn(): { localAppData: string; state: string; restore(): void } {
  const saved = { exe: process.env.AIWAY_WSL_EXE, state: process.env.AIWAY_WSL_STAND_IN_STATE, local: process.env.LOCALAPPDATA };
  const base = mkdtempSync(path.join(os.tmpdir(), 'ai-way-wsl-'));
  const localAppData = path.join(base, 'LocalAppData');
  const state = path.join(base, 'stand-in');
  Object.assign(process.env, { AIWAY_WSL_EXE: WSL_STAND_IN, AIWAY_WSL_STAND_IN_STATE: state, LOCALAPPDATA: localAppData });
  const put = (k: string, v: string | undefined) => {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
  return {
    localAppData,
    state,
    restore() {
      put('AIWAY_WSL_EXE', saved.exe);
      put('AIWAY_WSL_STAND_IN_STATE', saved.state);
      put('LOCALAPPDATA', saved.local);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The selftest's Plan for a Windows host with this machine's resources, on the WSL2 way. */
export async function windowsPlan() {
  const [manifest, { report }] = await Promise.all([loadAppliance('selftest'), loadReport(undefined)]);
  const windows = { ...report, host: { ...report.host, platform: 'windows' as const } };
  return startable(makePlan(ADAPTERS, windows, { image: 'auto', gpu: 'none', platform: 'wsl2' }, manifest), 'selftest');
}

/** What is left: the stand-in's registered distributions and the folders under LOCALAPPDATA\ai-way\wsl. */
export function wslLeftovers(s: { localAppData: string; state: string }): string[] {
  const list = (d: string) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  };
  return [...list(s.state), ...list(path.join(s.localAppData, 'ai-way', 'wsl'))];
}
