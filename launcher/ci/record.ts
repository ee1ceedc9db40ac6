// What a run did, gathered from its events for the reports CI reads (JUnit, GitHub's annotations and
// step summary): each step, how long it took, and how the run ended. Pure.
import type { Failure } from '../../appliance/failures.ts';
import type { IsolationFact } from '../../appliance/isolation.ts';
import type { SessionEvent } from '../session/events.ts';

export type SmokeResult = Extract<SessionEvent, { type: 'smoke' }>;

export interface RunRecord {
  appliance: string;
  startedAt: Date;
  durationMs: number;
  /** Until the appliance answered its health check; null: it never did. */
  bootMs: number | null;
  /** The isolation facts proven (or not) from inside; null: never checked. */
  facts: IsolationFact[] | null;
  smokes: SmokeResult[];
  /** The smoke file's questions, asked or not: one not asked is reported as skipped. */
  planned: string[];
  /** Whether anything was started that a wipe must erase. */
  started: boolean;
  wipe: { ms: number; reason: string } | null;
  failure: Pick<Failure, 'code' | 'message' | 'fix' | 'detail'> | null;
  /** The appliance's last log lines, for a failure's report. */
  logTail: string;
  exitCode: number;
}

export function newRecord(appliance: string, planned: string[], startedAt = new Date()): RunRecord {
  return {
    appliance,
    startedAt,
    durationMs: 0,
    bootMs: null,
    facts: null,
    smokes: [],
    planned,
    started: false,
    wipe: null,
    failure: null,
    logTail: '',
    exitCode: 0,
  };
}

/** The record with what one event tells. */
export function recordEvent(r: RunRecord, e: SessionEvent): RunRecord {
  switch (e.type) {
    case 'verified':
      return { ...r, facts: e.facts };
    case 'ready':
      return { ...r, bootMs: e.bootMs };
    case 'smoke':
      return { ...r, smokes: [...r.smokes, e] };
    case 'progress':
      return e.stage === 'starting' ? { ...r, started: true } : r;
    case 'wiped':
      return { ...r, wipe: { ms: e.ms, reason: e.reason } };
    default:
      return r;
  }
}

/** Whether a fact failed, passed, or passed with a limit the host does not enforce. */
export const factState = (f: IsolationFact): 'failed' | 'warning' | 'passed' => (!f.ok ? 'failed' : f.warning ? 'warning' : 'passed');

/** The smoke file's questions not asked (the run ended first). */
export const unasked = (r: RunRecord): string[] => r.planned.filter((q) => !r.smokes.some((s) => s.question === q));
