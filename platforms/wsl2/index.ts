// Windows: the appliance in a WSL2 distribution of its own, sandboxed there by the agent. Not built
// yet: the Plan chooses it and the doctor checks for it, but it starts nothing.
import { type AdapterEntry, missingOf } from '../adapter.ts';
import { unbuilt } from '../unbuilt.ts';
import { wsl2Steps } from './steps.ts';

export const wsl2: AdapterEntry = {
  id: 'wsl2',
  isolation: 'vm',
  gpuModes: ['wsl'],
  usesEngine: false,
  applicable: (f) => (f.host.platform === 'windows' ? 'Windows: the appliance runs in its own WSL2 distribution' : null),
  check: (report) => missingOf(report, ['wsl', 'virtualization']),
  probes: () => [],
  steps: wsl2Steps,
  load: async () => unbuilt('wsl2'),
};
