// Any host: the appliance in a QEMU virtual machine of its own (a kernel of its own, no network
// device), sandboxed there by the agent. Last in the registry: the Plan takes it only where nothing
// before it applies. Not built yet: it starts nothing.
import type { AdapterEntry } from '../adapter.ts';
import type { HostReport, Prerequisite } from '../host/report.ts';
import { unbuilt } from '../unbuilt.ts';

export const qemu: AdapterEntry = {
  id: 'qemu',
  isolation: 'vm',
  gpuModes: [],
  usesEngine: false,
  applicable: () => 'QEMU: the appliance runs in a virtual machine of its own',
  check: (report) => (report.tools.qemu.found ? [] : [notInstalled(report)]),
  probes: () => [],
  load: async () => unbuilt('qemu'),
};

function notInstalled(report: HostReport): Prerequisite {
  const program = report.host.arch === 'aarch64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
  return {
    id: 'qemu',
    title: 'QEMU (virtual machines)',
    ok: false,
    status: 'missing',
    required: true,
    detail: `QEMU is not installed (${program} was not found)`,
    fix: "Install QEMU with your system's package manager.",
    fixCommand: null,
  };
}
