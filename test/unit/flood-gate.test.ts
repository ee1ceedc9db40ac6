// The gate that keeps a flood of unrequested messages from drowning the output.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FloodGate } from '../../launcher/session/flood-gate.ts';

describe('FloodGate', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const gate = () => {
    const passed: number[] = [];
    const held: number[] = [];
    return {
      passed,
      held,
      g: new FloodGate<number>(
        { limit: 3, quietMs: 1000 },
        (m) => passed.push(m),
        (n) => held.push(n),
      ),
    };
  };

  it("lets a burst's first messages through and reports the rest once, when the burst has been quiet", () => {
    const { passed, held, g } = gate();
    for (let i = 0; i < 100_000; i++) g.push(i);
    expect(passed).toEqual([0, 1, 2]);
    expect(held).toEqual([]);
    vi.advanceTimersByTime(999);
    g.push(100_000); // still the same burst: it goes on, and the report waits
    vi.advanceTimersByTime(999);
    expect(held).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(held).toEqual([99_998]);
    g.push(7); // a new burst
    expect(passed).toEqual([0, 1, 2, 7]);
  });

  it('never holds back messages that come one at a time', () => {
    const { passed, held, g } = gate();
    for (let i = 0; i < 10; i++) {
      g.push(i);
      vi.advanceTimersByTime(1000);
    }
    expect(passed).toHaveLength(10);
    expect(held).toEqual([]);
  });

  it('flush reports what is held at once (the source closed)', () => {
    const { held, g } = gate();
    for (let i = 0; i < 5; i++) g.push(i);
    g.flush();
    expect(held).toEqual([2]);
    g.flush();
    vi.advanceTimersByTime(5000);
    expect(held).toEqual([2]);
  });
});
