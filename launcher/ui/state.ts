// What the terminal UI shows, as one plain object, and a store that tells React when it changed:
// at most one notification per frame, so a stream of progress events cannot cause a render storm.
import type { Stage } from '../session/events.ts';
import type { Source } from '../session/answer-stream.ts';
import type { AppStatus } from '../session/app-api.ts';

export type CheckStatus = 'pending' | 'ok' | 'missing' | 'unknown' | 'not-needed';

export interface Check {
  id: string;
  label: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
  /** The command that fixes it, shown as it must be typed (and copied with c). */
  fixCommand: string | null;
  /** The fix as the doctor words it, for the details view (it may name the software). */
  howTo?: string | null;
}

/** The boot's steps as the session reports them (its progress events), then ready. */
export type BootStage = Exclude<Stage, 'smoke check' | 'wiping'> | 'ready';

// Every stage a session reports is named here, so a new one cannot go unshown (or show the last).
const BOOT_STAGE: Record<Stage, BootStage | null> = {
  preparing: 'preparing',
  starting: 'starting',
  'checking isolation': 'checking isolation',
  'waiting for the app': 'waiting for the app',
  'smoke check': null,
  wiping: null,
};

/** The boot step a session's progress event starts, or null for one that is not part of the boot. */
export const bootStage = (stage: Stage): BootStage | null => BOOT_STAGE[stage];

export interface Upload {
  name: string;
  sent: number;
  total: number;
  state: 'sending' | 'done' | 'refused';
  message?: string;
}
export interface Exchange {
  question: string;
  answer: string;
  done: boolean;
  failed?: boolean;
  /** The files and passages the answer came from, as the app cited them. */
  sources?: Source[];
  /** What went wrong on the way: lines the app got wrong, its error, a stop. */
  notes?: string[];
  /** How fast it was written: "12 tokens · 41.5 tokens/s · cpu"; null when the app did not say. */
  speed?: string | null;
}

/** What the app made of a file added: still indexing, indexed (with its passages) or refused (with its reason). */
export interface DocOutcome {
  state: 'indexing' | 'indexed' | 'refused';
  text: string;
}

export interface UiState {
  screen: 'preflight' | 'boot' | 'ready' | 'wiping' | 'erased' | 'error';
  checks: Check[];
  checksDone: boolean;
  boot: { stage: BootStage; stageSince: number; startedAt: number; now: number };
  files: { name: string; size: number }[];
  freeBytes: number | null;
  totalBytes: number | null;
  uploads: Upload[];
  exchanges: Exchange[];
  /** By file name, for apps that list their documents. */
  docs: Record<string, DocOutcome>;
  /** What the app last said of itself (model, backend, speed, warnings); null when it says nothing. */
  app: AppStatus | null;
  input: string;
  overlay: 'help' | 'details' | null;
  /** How far the person scrolled the view named (an overlay or a screen); another view starts unscrolled. */
  scroll: { view: string; by: number };
  confirmQuit: boolean;
  /** What is typed in answer to the quit question: it counts only as a whole line. */
  quitAnswer: string;
  notice: string | null;
  erasedMs: number | null;
  /** The person stopped it before the appliance was ready. */
  stoppedEarly: boolean;
  error: { message: string; whatToDo: string; detail: string; logPath: string | null } | null;
  details: { label: string; value: string }[];
}

export const initialState = (now: number): UiState => ({
  screen: 'preflight',
  checks: [],
  checksDone: false,
  boot: { stage: 'preparing', stageSince: now, startedAt: now, now },
  files: [],
  freeBytes: null,
  totalBytes: null,
  uploads: [],
  exchanges: [],
  docs: {},
  app: null,
  input: '',
  overlay: null,
  scroll: { view: '', by: 0 },
  confirmQuit: false,
  quitAnswer: '',
  notice: null,
  erasedMs: null,
  stoppedEarly: false,
  error: null,
  details: [],
});

const FRAME_MS = 50; // 20 frames a second at most

export class Store {
  private state: UiState;
  private readonly listeners = new Set<() => void>();
  private scheduled: NodeJS.Timeout | null = null;
  /** How many notifications reached React (the render rate is measured from it). */
  notifications = 0;

  constructor(initial: UiState) {
    this.state = initial;
  }

  get = (): UiState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  update(change: (s: UiState) => Partial<UiState>): void {
    this.state = { ...this.state, ...change(this.state) };
    this.scheduled ??= setTimeout(() => {
      this.scheduled = null;
      this.notifications++;
      for (const l of this.listeners) l();
    }, FRAME_MS);
  }

  /** Delivers a pending change now (before exit, so the last frame is drawn). */
  flush(): void {
    if (!this.scheduled) return;
    clearTimeout(this.scheduled);
    this.scheduled = null;
    this.notifications++;
    for (const l of this.listeners) l();
  }
}
