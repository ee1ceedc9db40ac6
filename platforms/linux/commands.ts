// Podman's command lines, as pure functions: what the Linux adapter runs and what its Plan steps
// show are the same words.
import { SESSION_LABEL, usernsArgs, type PodmanProfile } from '../../appliance/engines/podman.ts';

/** Podman's words are read by ai-way only where English is certain. */
export const PODMAN_ENV = { LC_ALL: 'C' } as const;

export const imageExistsArgs = (image: string): string[] => ['image', 'exists', image];
export const loadArgs = (file: string): string[] => ['load', '--quiet', '-i', file];

/** The canary: the appliance image's own agent (`--check`: it starts and exits 0), with this variant of Podman's quirks. */
export const canaryArgs = (variant: PodmanProfile, image: string): string[] => [
  ...variant.globalArgs,
  'run',
  '--rm',
  '--pull=never',
  '--network=none',
  '--log-driver=none',
  ...usernsArgs(variant.userns, 0),
  ...(variant.nofileUlimit ? ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'] : []),
  '--entrypoint',
  '/sbin/ai-way-agent',
  image,
  '--check',
];

export const listSessionsArgs = (): string[] => ['ps', '-a', '--filter', `label=${SESSION_LABEL}`, '--format', 'json'];
export const removeArgs = (nameOrId: string): string[] => ['rm', '--force', '--time', '0', '--ignore', nameOrId];
