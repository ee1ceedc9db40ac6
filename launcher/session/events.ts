// What a session reports to whichever front end is attached (headless JSON lines, or the UI).
import type { FailureCode } from '../../appliance/failures.ts';
import type { IsolationFact, IsolationVerdict } from '../../appliance/isolation.ts';
import type { PlatformAdapter } from '../../appliance/plan.ts';
import type { GuestMachine } from '../../platforms/adapter.ts';
import type { Answer } from './smoke.ts';

export type Stage = 'preparing' | 'starting' | 'checking isolation' | 'waiting for the app' | 'smoke check' | 'wiping';

export type SessionEvent =
  | { type: 'progress'; stage: Stage; message: string; elapsedMs: number }
  | { type: 'warning'; message: string }
  | { type: 'verified'; proven: boolean; facts: IsolationFact[]; limits: IsolationVerdict['limits']; devices: string[] }
  /** guest: the virtual machine it runs in; null where it runs on the host's own kernel. */
  | { type: 'ready'; bootMs: number; platform: PlatformAdapter; guest: GuestMachine | null }
  /**
   * One smoke question asked: the question (the request's body) and the answer's text (its first 2000 characters).
   * tokens, tokensPerSecond: what the app said of its answer when it streamed one (JSON lines); else null.
   */
  | {
      type: 'smoke';
      ok: boolean;
      status: number | null;
      ms: number;
      detail: string;
      question: string;
      answer: string;
      tokens: number | null;
      tokensPerSecond: number | null;
    }
  | { type: 'wiped'; ms: number; reason: string }
  | { type: 'uploaded'; name: string; size: number; sha256: string }
  | { type: 'refused'; message: string }
  | { type: 'files'; files: { name: string; size: number }[]; freeBytes: number; totalBytes: number }
  /** Text of a streamed answer (JSON lines) as it arrives: what one piece of the stream brought. */
  | { type: 'answer-token'; text: string }
  /** The whole answer: its text, and what a streamed one said of itself (empty and null for plain text). */
  | ({ type: 'answer' } & Omit<Answer, 'streamed'>);

/**
 * How every `run --json` ends: its exit code, why (`ok` or the failure's code) and how long it took; a
 * failure adds what went wrong, what to do, and the detail it brought.
 */
export type ResultEvent = {
  type: 'result';
  exitCode: number;
  reason: FailureCode | 'ok';
  durationMs: number;
  message?: string;
  fix?: string;
  detail?: string;
};

export type RunEvent = SessionEvent | ResultEvent;

/** The version of the JSON lines' shape; every line carries it, with the time it was written. */
export const EVENT_SCHEMA = 1;

/** An event as one JSON line: `schema` and `ts` (ISO time) first, then the event. */
export const jsonLine = (e: RunEvent, now = new Date()): string => JSON.stringify({ schema: EVENT_SCHEMA, ts: now.toISOString(), ...e });
