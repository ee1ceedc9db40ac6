// What a way to Linux will run, phase by phase, as data: each command as its argv and the
// environment it sets, and each action that runs no command (a channel closed, a folder removed) in
// words. Pure: made from the Plan and the host facts alone, so a Plan made from another computer's
// support bundle shows what would run there. What only the run knows (the session's id, the
// launcher's pid, a path the build or the cache decides) stands as a placeholder in angle brackets.
import type { HostFacts } from './host-facts.ts';
import type { Plan } from './plan.ts';

export const STEP_PHASES = ['prepare', 'start', 'channel', 'wipe', 'reap'] as const;
export type StepPhase = (typeof STEP_PHASES)[number];

/** One thing a phase does: a command (argv, and the variables it sets in the environment), or an action in words. */
export interface PlannedStep {
  /** What it is for, in a few words. */
  what: string;
  /** The command line, when the step runs a program; absent for an action the launcher does itself. */
  argv?: string[];
  /** Variables the step sets on top of the launcher's environment (only with argv). */
  env?: Record<string, string>;
  /** When the step runs, where not always ("only if it is still there after 2 s"). */
  when?: string;
}

export type PlatformSteps = Record<StepPhase, PlannedStep[]>;

/** The Plan as the steps are made from it: everything but the steps themselves. */
export type PlanForSteps = Omit<Plan, 'platform'> & { platform: Omit<Plan['platform'], 'steps'> };

/** What a way to Linux gives the Plan: its steps, from the Plan and the host facts. Pure. */
export type StepsOf = (plan: PlanForSteps, facts: HostFacts) => PlatformSteps;

/** What only the run knows, as the steps show it. */
export const PLACEHOLDER = {
  session: '<session>',
  launcherPid: '<launcher pid>',
  launcherStart: '<launcher start time>',
} as const;

export const noSteps = (): PlatformSteps => ({ prepare: [], start: [], channel: [], wipe: [], reap: [] });

/** A command step. */
export const command = (what: string, argv: string[], env: Record<string, string> = {}, when?: string): PlannedStep => ({
  what,
  argv,
  env,
  ...(when ? { when } : {}),
});

/** An action the launcher does itself, without a command. */
export const action = (what: string, when?: string): PlannedStep => ({ what, ...(when ? { when } : {}) });

/** A command line for a person: each word quoted only where it must be. */
export function commandLine(step: PlannedStep): string {
  const env = Object.entries(step.env ?? {}).map(([k, v]) => `${k}=${quoted(v)}`);
  return [...env, ...(step.argv ?? []).map(quoted)].join(' ');
}

/** Plain words and placeholders as they are; anything else in single quotes, as a POSIX shell reads it. */
const quoted = (w: string) => (/^[\w@%+=:,./\\-]*$/.test(w.replace(/<[^<>]*>/g, '')) && w !== '' ? w : `'${w.replaceAll("'", `'\\''`)}'`);
