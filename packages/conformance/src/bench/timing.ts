/** Wall-clock timing of operations that run side by side: warm-up first, then rounds, medians. */
import { createRandom } from '@linearconv/core';

export interface TimingSettings {
  /** Unmeasured runs of each operation first (kernel compilation, caches, lazy uploads). */
  readonly warmup: number;
  /** Measured runs of each at least, whatever the budget. */
  readonly minRuns: number;
  /** Measured runs of each at most. */
  readonly maxRuns: number;
  /** Stop after the round in which the measured runs of all operations together passed this. */
  readonly budgetMs: number;
}

export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Measured runs (warm-up not counted). */
  readonly runs: number;
}

/**
 * Times several async operations in turn, one run of each per round, so a change in machine
 * load (other processes) hits all of them alike and their ratios stay fair. The order within a
 * round is shuffled (seeded): with a fixed order, a periodic cost such as garbage collection can
 * lock onto one operation. Each run counts until its promise settles. `performance.now()` is
 * the clock in Node and in browsers alike.
 */
export async function timeSideBySide(operations: readonly (() => unknown)[], settings: TimingSettings): Promise<Timing[]> {
  for (const op of operations) for (let i = 0; i < settings.warmup; i++) await op();
  const samples: number[][] = operations.map(() => []);
  const random = createRandom(operations.length);
  let spent = 0;
  for (let round = 0; round < settings.maxRuns && (round < settings.minRuns || spent < settings.budgetMs); round++) {
    const order = [...operations.keys()];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      const start = performance.now();
      await operations[i]();
      const ms = performance.now() - start;
      samples[i].push(ms);
      spent += ms;
    }
  }
  return samples.map(summariseSamples);
}

/** Median, extremes and count of measured run times. */
export function summariseSamples(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: median(sorted), minMs: sorted[0], maxMs: sorted[sorted.length - 1], runs: sorted.length };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
