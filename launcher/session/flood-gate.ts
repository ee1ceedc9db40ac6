// Messages nobody asked for (the appliance's own events) are let through a few at a time: a flood
// of them is counted, not shown, and reported once when it ends, so it cannot drown the output.

export interface FloodGateOptions {
  /** How many messages of one burst are let through. */
  limit: number;
  /** A burst ends after this long without a message. */
  quietMs: number;
}

export class FloodGate<T> {
  private passed = 0;
  private held = 0;
  private lastAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly o: FloodGateOptions,
    private readonly pass: (m: T) => void,
    private readonly summarize: (held: number) => void,
  ) {}

  push(m: T): void {
    const now = Date.now();
    if (now - this.lastAt >= this.o.quietMs && this.held === 0) this.passed = 0;
    this.lastAt = now;
    if (this.passed < this.o.limit) {
      this.passed++;
      this.pass(m);
      return;
    }
    // Counting is all a held message costs: no timer per message, one that rechecks the quiet.
    this.held++;
    this.timer ??= this.wake(this.o.quietMs);
  }

  private wake(ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      this.timer = null;
      const quiet = Date.now() - this.lastAt;
      if (quiet < this.o.quietMs) this.timer = this.wake(this.o.quietMs - quiet);
      else this.flush();
    }, ms).unref();
  }

  /** Reports what was held back now (the burst ended, or the source closed). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.held === 0) return;
    const held = this.held;
    this.held = 0;
    this.passed = 0;
    this.summarize(held);
  }
}
