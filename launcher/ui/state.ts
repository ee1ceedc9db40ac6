// What the terminal UI shows, as one plain object, and a store that tells React when it changed:
// at most one notification per frame, so a stream of progress events cannot cause a render storm.

export type CheckStatus = 'pending' | 'ok' | 'missing' | 'unknown' | 'not-needed';

export interface Check {
  id: string;
  label: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
  fixCommand: string | null;
}

export type BootStage = 'preparing' | 'starting' | 'checking isolation' | 'ready';

export interface Upload { name: string; sent: number; total: number; state: 'sending' | 'done' | 'refused'; message?: string }
export interface Exchange { question: string; answer: string; done: boolean; failed?: boolean }

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
  input: string;
  overlay: 'help' | 'details' | null;
  confirmQuit: boolean;
  notice: string | null;
  erasedMs: number | null;
  error: { message: string; whatToDo: string; detail: string; logPath: string | null } | null;
  details: { label: string; value: string }[];
}

export const initialState = (now: number): UiState => ({
  screen: 'preflight', checks: [], checksDone: false,
  boot: { stage: 'preparing', stageSince: now, startedAt: now, now },
  files: [], freeBytes: null, totalBytes: null, uploads: [], exchanges: [], input: '',
  overlay: null, confirmQuit: false, notice: null, erasedMs: null, error: null, details: [],
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
