// Any host: the appliance in a QEMU virtual machine of its own (a kernel of its own, no network
// device), sandboxed there by the agent. Last in the registry: the Plan takes it where nothing
// before it applies, or where a virtual machine is asked for. Its pure face; the adapter itself
// (adapter.ts) loads on demand.
import type { AdapterEntry, AdapterNote } from '../adapter.ts';
import type { HostReport, Prerequisite } from '../host/report.ts';
import { chooseAccelerator, emulationCost, kvmState } from './accelerator.ts';
import { qemuProgram } from './command.ts';
import { qemuSteps } from './steps.ts';

export const qemu: AdapterEntry = {
  id: 'qemu',
  isolation: 'vm',
  gpuModes: [],
  usesEngine: false,
  carriesModel: true,
  applicable: () => 'QEMU: the appliance runs in a virtual machine of its own',
  check: (report) => (report.tools.qemu.found ? [] : [notInstalled(report)]),
  probes: () => [],
  steps: qemuSteps,
  describe,
  load: async () => (await import('./adapter.ts')).qemuAdapter(),
};

function notInstalled(report: HostReport): Prerequisite {
  const program = qemuProgram(report.host.arch ?? 'x86_64');
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

/** QEMU's version, the accelerator a guest of this host's architecture would get and why, and what emulation costs. */
function describe(report: HostReport): AdapterNote {
  const q = report.tools.qemu;
  const arch = report.host.arch ?? 'x86_64';
  const kvm = kvmState({ ...report.host.kvm, writable: null });
  const choice = chooseAccelerator({ host: report.host.platform, hostArch: report.host.arch, guestArch: arch, kvm });
  const accelerator = choice.probe ? `${choice.why}, once a test boot at the start proves it boots a kernel` : choice.why;
  const cost = emulationCost(arch);
  const version = q.found ? `QEMU ${q.version ?? '(version unknown)'}` : 'QEMU is not installed (only needed for --isolation vm)';
  return {
    title: 'Virtual machine (QEMU)',
    detail: `${version}; ${accelerator}; ${cost}`,
    facts: { found: q.found, version: q.version, kvm, accelerator: choice.accelerator, probe: choice.probe, why: choice.why, cost },
  };
}
