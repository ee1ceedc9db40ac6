// Artifacts -> HostReport. Pure: the same artifacts always give the same report.
import type { Artifacts } from './artifacts.ts';
import type { HostReport } from './report.ts';
import { parseArtifacts } from './parsed.ts';
import { analyzeHostFacts } from './analyze/host.ts';
import { analyzeGpus } from './analyze/gpus.ts';
import { analyzeTools } from './analyze/tools.ts';
import { analyzePrerequisites } from './analyze/prerequisites.ts';

export function analyzeHost(a: Artifacts): HostReport {
  const notes: string[] = [];
  const p = parseArtifacts(a);
  const { host, virtualizationBasis } = analyzeHostFacts(p, notes);
  const { gpus, drivers } = analyzeGpus(p, host.platform, notes);
  const tools = analyzeTools(p, notes);
  const prerequisites = analyzePrerequisites(p, { host, gpus, tools, virtualizationBasis });
  return { host, gpus, gpuDrivers: drivers, tools, prerequisites, notes: [...new Set(notes)] };
}
