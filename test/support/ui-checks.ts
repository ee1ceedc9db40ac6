// The preflight checklist as the doctor's prerequisites make it, for the UI's screen tests: with the
// sandbox software missing (a cross, its fix and command) or in place.
import type { UiState } from '../../launcher/ui/state.ts';

export function preflightChecks({ missing = true, virtualization = false } = {}): UiState['checks'] {
  return [
    { id: 'memory', label: 'Enough memory', status: 'ok', detail: '23.5 GiB', fix: null, fixCommand: null },
    {
      id: 'podman',
      label: 'Sandbox software',
      status: missing ? 'missing' : 'ok',
      detail: missing ? 'missing' : 'ready',
      fix: missing
        ? 'The sandbox software that keeps the appliance sealed off is not installed, or too old. ' +
          'Run the command below in another window (c copies it), then press r.'
        : null,
      fixCommand: missing ? 'sudo apt-get install -y podman uidmap' : null,
    },
    ...(virtualization
      ? [{ id: 'virtualization', label: 'Hardware isolation', status: 'ok', detail: 'ready', fix: null, fixCommand: null } as const]
      : []),
    {
      id: 'gpu-driver',
      label: 'Graphics card',
      status: 'not-needed',
      detail: 'none: answers come from the processor',
      fix: null,
      fixCommand: null,
    },
  ];
}
