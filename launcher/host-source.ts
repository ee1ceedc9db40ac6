// Where host facts come from: this machine, probed now, or a support bundle replayed. The probe
// also records the files the platform adapters' analysis reads (what a canary learned).
import { analyzeHost } from '../platforms/host/analyze.ts';
import { readBundle } from '../platforms/host/bundle.ts';
import { liveHostInfo, probeHost, type ProbeOptions } from '../platforms/host/probe.ts';
import type { Artifacts } from '../platforms/host/artifacts.ts';
import type { HostReport } from '../platforms/host/report.ts';
import { adapterRecords } from '../platforms/registry.ts';

export interface HostSource {
  kind: 'live' | 'bundle';
  bundle?: string;
}

/** This machine, probed: 'quick' for the doctor and a launch, 'full' (the slow commands too) for a support bundle. */
export const probeHere = (depth: ProbeOptions['depth'] = 'quick'): Promise<Artifacts> => probeHost({ depth, records: adapterRecords() });

export async function loadArtifacts(bundle: string | undefined): Promise<{ artifacts: Artifacts; source: HostSource }> {
  if (bundle === undefined) return { artifacts: await probeHere(), source: { kind: 'live' } };
  return { artifacts: await readBundle(bundle), source: { kind: 'bundle', bundle } };
}

export async function loadReport(bundle: string | undefined): Promise<{ report: HostReport; source: HostSource }> {
  const { artifacts, source } = await loadArtifacts(bundle);
  return { report: analyzeHost(artifacts), source };
}

/** This machine as known before any probe (its system, architecture, memory and processors): no command run, no file read. */
export const hostBeforeProbe = (): HostReport =>
  analyzeHost({ host: liveHostInfo(), files: new Map(), devices: null, listing: null, commands: new Map() });
