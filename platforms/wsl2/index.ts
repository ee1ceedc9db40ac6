// Windows: the appliance in a WSL2 distribution of its own, sandboxed there by the agent. Its pure
// face; the adapter itself (adapter.ts) loads on demand.
import { type AdapterEntry, missingOf } from '../adapter.ts';
import { wsl2Steps } from './steps.ts';

export const wsl2: AdapterEntry = {
  id: 'wsl2',
  isolation: 'vm',
  gpuModes: ['wsl'],
  usesEngine: false,
  carriesModel: false,
  applicable: (f) => (f.host.platform === 'windows' ? 'Windows: the appliance runs in its own WSL2 distribution' : null),
  check: (report) => missingOf(report, ['wsl', 'virtualization']),
  probes: () => [],
  steps: wsl2Steps,
  load: async () => (await import('./adapter.ts')).wsl2Adapter(),
};
