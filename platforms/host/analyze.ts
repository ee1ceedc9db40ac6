// Artifacts -> HostReport. Pure: the same artifacts always give the same report.
import type { Artifacts } from './artifacts.ts';
import type { HostReport } from './report.ts';
import { analyzeHostFacts } from './analyze/host.ts';
import { analyzeGpus } from './analyze/gpus.ts';
import { analyzeTools } from './analyze/tools.ts';
import { analyzePrerequisites } from './analyze/prerequisites.ts';

export function analyzeHost(a: Artifacts): HostReport {
  const notes: string[] = [];
  const host = analyzeHostFacts(a, notes);
  const { gpus, drivers } = analyzeGpus(a, host.platform, notes);
  const tools = analyzeTools(a, notes);
  const prerequisites = analyzePrerequisites(a, { host, gpus, tools });
  return { host, gpus, gpuDrivers: drivers, tools, prerequisites, notes: [...new Set(notes)] };
}
