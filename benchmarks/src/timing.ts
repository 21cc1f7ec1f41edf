/** Wall-clock timing of one repeated operation: warm-up runs first, then the measured runs. */

export interface TimingOptions {
  /** Unmeasured runs first (kernel compilation, caches, lazy weight uploads). Default 2. */
  warmup?: number;
  /** Measured runs at most. Default 10. */
  runs?: number;
  /** Stop early once the measured runs have taken this long, keeping at least `minRuns`. */
  budgetMs?: number;
  /** Default 3. */
  minRuns?: number;
}

export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Measured runs (warm-up not counted). */
  runs: number;
}

interface Downloadable {
  data(): Promise<unknown>;
  dispose(): void;
}

/**
 * Times `fn`, and counts as part of each run the wait for its result: a tensor (or an array of
 * them) is downloaded with an awaited `data()` and disposed, a promise is awaited. Without that
 * an async backend would be timed only for queueing its work.
 */
export async function time(fn: () => unknown, options: TimingOptions = {}): Promise<Timing> {
  return (await timeEach([fn], options))[0];
}

/**
 * Times several operations side by side: after their warm-ups they run in turn, one run each per
 * round, so a change in machine load (other processes, GC) hits all of them alike and their
 * ratios stay fair. `budgetMs` is per operation.
 */
export async function timeEach(fns: readonly (() => unknown)[], options: TimingOptions = {}): Promise<Timing[]> {
  const { warmup = 2, runs = 10, budgetMs = Number.POSITIVE_INFINITY, minRuns = 3 } = options;
  for (const fn of fns) for (let i = 0; i < warmup; i++) await settle(await fn());
  const samples: number[][] = fns.map(() => []);
  let spent = 0;
  for (let round = 0; round < runs && (round < minRuns || spent < budgetMs * fns.length); round++) {
    for (const [i, fn] of fns.entries()) {
      const start = performance.now();
      await settle(await fn());
      const ms = performance.now() - start;
      samples[i].push(ms);
      spent += ms;
    }
  }
  return samples.map(summarise);
}

export function summarise(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { medianMs, minMs: sorted[0], maxMs: sorted.at(-1)!, runs: sorted.length };
}

async function settle(result: unknown): Promise<void> {
  const items = Array.isArray(result) ? result : [result];
  for (const item of items) {
    if (isDownloadable(item)) {
      await item.data();
      item.dispose();
    }
  }
}

function isDownloadable(x: unknown): x is Downloadable {
  return typeof x === 'object' && x !== null && typeof (x as Downloadable).data === 'function' && typeof (x as Downloadable).dispose === 'function';
}
