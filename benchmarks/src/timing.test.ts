import { afterEach, describe, expect, it, vi } from 'vitest';
import { time, timeEach } from './timing.js';

afterEach(() => vi.restoreAllMocks());

describe('timing (the harness timer for whole-model benchmarks)', () => {
  it('downloads and disposes a returned tensor, or each of an array, as part of every run', async () => {
    const log: string[] = [];
    const tensor = (name: string) => ({ data: async () => void log.push(`data ${name}`), dispose: () => void log.push(`dispose ${name}`) });
    const t = await time(() => [tensor('a'), tensor('b')], { warmup: 1, runs: 2, minRuns: 2 });
    expect(t.runs).toBe(2);
    expect(log).toEqual(Array(3).fill(['data a', 'dispose a', 'data b', 'dispose b']).flat());
  });

  it('keeps its defaults (2 warm-up, 10 runs) and a budget per operation', async () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 5));
    const calls = [0, 0];
    const ops = [0, 1].map((i) => () => void calls[i]++);
    expect((await timeEach(ops)).map((t) => t.runs)).toEqual([10, 10]);
    expect(calls).toEqual([12, 12]);
    // 5 ms a run, 20 ms each: four rounds, whatever the number of operations.
    expect((await timeEach(ops, { warmup: 0, minRuns: 1, budgetMs: 20 })).map((t) => [t.runs, t.medianMs])).toEqual([
      [4, 5],
      [4, 5],
    ]);
  });
});
