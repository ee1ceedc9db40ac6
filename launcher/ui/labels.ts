// Plain words for the screens a person sees first: no WSL, Lima, Podman, container or VM there
// (those words live in the details view).
import type { Prerequisite } from '../../platforms/host/report.ts';

const CHECK_LABEL: Record<Prerequisite['id'], string> = {
  memory: 'Enough memory',
  podman: 'Sandbox software',
  wsl: 'Windows sandbox support',
  lima: 'Mac sandbox support',
  qemu: 'Sandbox software',
  virtualization: 'Hardware isolation',
  'gpu-driver': 'Graphics card',
};

export const checkLabel = (id: Prerequisite['id']): string => CHECK_LABEL[id];

/** One or two plain sentences for a missing check; its exact command is shown below them (c copies it). */
export function plainFix(p: Prerequisite): string {
  const has = p.fixCommand !== null;
  switch (p.id) {
    case 'memory':
      return 'This computer has too little memory for the appliance.';
    case 'podman':
    case 'qemu':
      return `The sandbox software that keeps the appliance sealed off is not installed, or too old. ${
        has ? 'Run the command below in another window (c copies it)' : 'The details (d) say how to install it'
      }, then press r.`;
    case 'wsl':
      return `Windows needs its built-in sandbox support turned on. ${
        has ? 'Run the command below as Administrator (c copies it)' : 'The details (d) say how'
      }, restart, then press r.`;
    case 'lima':
      return `The Mac needs the free sandbox tool. ${
        has ? 'Run the command below to install it (c copies it)' : 'The details (d) say how to install it'
      }, then press r.`;
    case 'virtualization':
      return "Hardware isolation is turned off in this computer's firmware settings. Turn it on (see the details with d), then press r.";
    case 'gpu-driver':
      return `The graphics card's driver is missing or not working, so answers will be slower. ${
        has ? 'The command below fixes it (c copies it)' : 'The details (d) say how to fix it'
      }; or continue without it.`;
  }
}

const BANNED = /\b(WSL|Lima|Podman|containers?|VMs?|virtual machines?)\b/i;

/** Whether a text may appear on the first screens. */
export const plainWords = (text: string): boolean => !BANNED.test(text);
