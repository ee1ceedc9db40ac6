// Where host facts come from: this machine, probed now, or a support bundle replayed.
import { analyzeHost } from '../platforms/host/analyze.ts';
import { readBundle } from '../platforms/host/bundle.ts';
import { probeHost } from '../platforms/host/probe.ts';
import type { Artifacts } from '../platforms/host/artifacts.ts';
import type { HostReport } from '../platforms/host/report.ts';

export interface HostSource {
  kind: 'live' | 'bundle';
  bundle?: string;
}

export async function loadArtifacts(bundle: string | undefined): Promise<{ artifacts: Artifacts; source: HostSource }> {
  if (bundle === undefined) return { artifacts: await probeHost(), source: { kind: 'live' } };
  return { artifacts: await readBundle(bundle), source: { kind: 'bundle', bundle } };
}

export async function loadReport(bundle: string | undefined): Promise<{ report: HostReport; source: HostSource }> {
  const { artifacts, source } = await loadArtifacts(bundle);
  return { report: analyzeHost(artifacts), source };
}
