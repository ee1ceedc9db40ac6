// Native Linux, and Linux inside WSL2: rootless Podman (or Bolt) runs the appliance as a container on
// the host's own kernel; there is no guest. Its pure face; the adapter itself (adapter.ts) loads on demand.
import { type AdapterEntry, missingOf } from '../adapter.ts';
import { PODMAN_PROFILE_RECORD } from '../host/probe-spec.ts';
import { profilePath } from './profile-path.ts';
import { linuxSteps } from './steps.ts';

export const linux: AdapterEntry = {
  id: 'linux',
  isolation: 'container',
  gpuModes: ['cdi', 'wsl'],
  usesEngine: true,
  carriesModel: true,
  applicable: (f) => {
    if (f.host.platform === 'linux') return 'Linux: rootless Podman runs the appliance directly';
    if (f.host.platform === 'wsl2') return 'inside WSL2: rootless Podman runs the appliance directly';
    return null;
  },
  check: (report) => missingOf(report, ['podman']),
  steps: linuxSteps,
  // What the canary container learned about this user's Podman (see adapter.ts), for the doctor.
  probes: () => [{ name: PODMAN_PROFILE_RECORD, path: profilePath() }],
  load: async () => (await import('./adapter.ts')).linuxAdapter(),
};
