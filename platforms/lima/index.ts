// macOS: the appliance in a Lima virtual machine, sandboxed there by the agent. Not built yet: the
// Plan chooses it and the doctor checks for it, but it starts nothing.
import { type AdapterEntry, missingOf } from '../adapter.ts';
import { unbuilt } from '../unbuilt.ts';
import { noSteps } from '../../appliance/steps.ts';

export const lima: AdapterEntry = {
  id: 'lima',
  isolation: 'vm',
  gpuModes: [],
  usesEngine: false,
  applicable: (f) => (f.host.platform === 'macos' ? 'macOS: the appliance runs in a Lima virtual machine' : null),
  check: (report) => missingOf(report, ['lima', 'virtualization']),
  probes: () => [],
  // Not built yet: it would run nothing.
  steps: noSteps,
  load: async () => unbuilt('lima'),
};
