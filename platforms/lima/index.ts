// macOS: the appliance in a Lima virtual machine, sandboxed there by the agent. Lima runs on Linux
// too, but there ai-way's own QEMU way is tighter (no network card at all), so Lima is taken on
// Linux only when named (`--platform lima`). Its pure face; the adapter itself (adapter.ts) loads on demand.
import { type AdapterEntry, missingOf } from '../adapter.ts';
import { limaSteps } from './steps.ts';

export const lima: AdapterEntry = {
  id: 'lima',
  isolation: 'vm',
  gpuModes: [],
  usesEngine: false,
  carriesModel: false,
  applicable: (f) => (f.host.platform === 'macos' ? 'macOS: the appliance runs in a Lima virtual machine' : null),
  whenNamed: (f) => (f.host.platform === 'linux' ? 'Lima runs on Linux too (its virtual machine is QEMU)' : null),
  check: (report) => missingOf(report, ['lima', 'virtualization']),
  probes: () => [],
  steps: limaSteps,
  load: async () => (await import('./adapter.ts')).limaAdapter(),
};
