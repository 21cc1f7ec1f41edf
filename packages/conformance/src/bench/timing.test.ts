import { afterEach, describe, expect, it, vi } from 'vitest';
import { median, summariseSamples, timeSideBySide } from './timing.js';

afterEach(() => vi.restoreAllMocks());

/** A clock that advances `step` ms on every read: each timed run then takes `step` ms exactly. */
function steppingClock(step: number) {
  let t = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => (t += step));
}

describe('timeSideBySide', () => {
  it('warms each operation up first, then runs one of each per round, in a shuffled order', async () => {
    const calls: number[] = [];
    const ops = [0, 1, 2].map((i) => async () => void calls.push(i));
    const timings = await timeSideBySide(ops, { warmup: 2, minRuns: 20, maxRuns: 20, budgetMs: 0 });
    expect(calls.slice(0, 6)).toEqual([0, 0, 1, 1, 2, 2]);
    const rounds = Array.from({ length: 20 }, (_, r) => calls.slice(6 + 3 * r, 9 + 3 * r));
    for (const round of rounds) expect([...round].sort()).toEqual([0, 1, 2]);
    // Seeded, so the same orders every time; more than one order, so no operation is always first.
    expect(new Set(rounds.map((r) => r.join())).size).toBeGreaterThan(1);
    expect(timings.map((t) => t.runs)).toEqual([20, 20, 20]);
  });

  it('runs minRuns whatever the budget, then stops in the round the budget is passed, and never beyond maxRuns', async () => {
    steppingClock(5);
    const op = async () => {};
    // Each run takes 5 ms: two operations spend 10 ms a round.
    expect((await timeSideBySide([op, op], { warmup: 0, minRuns: 3, maxRuns: 100, budgetMs: 0 })).map((t) => t.runs)).toEqual([3, 3]);
    expect((await timeSideBySide([op, op], { warmup: 0, minRuns: 1, maxRuns: 100, budgetMs: 45 })).map((t) => t.runs)).toEqual([5, 5]);
    expect((await timeSideBySide([op, op], { warmup: 0, minRuns: 1, maxRuns: 4, budgetMs: 1e9 })).map((t) => t.runs)).toEqual([4, 4]);
    const [t] = await timeSideBySide([op], { warmup: 0, minRuns: 3, maxRuns: 3, budgetMs: 0 });
    expect(t).toEqual({ medianMs: 5, minMs: 5, maxMs: 5, runs: 3 });
  });

  it('counts each run until its promise settles', async () => {
    let t = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => t);
    const slow = async () => {
      await Promise.resolve();
      t += 7;
    };
    const [timing] = await timeSideBySide([slow], { warmup: 1, minRuns: 2, maxRuns: 2, budgetMs: 0 });
    expect(timing.medianMs).toBe(7);
  });
});

describe('summariseSamples and median', () => {
  it('takes the middle value, or the mean of the two middle ones, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(summariseSamples([9, 1, 4, 2])).toEqual({ medianMs: 3, minMs: 1, maxMs: 9, runs: 4 });
  });
});
