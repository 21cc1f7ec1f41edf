/**
 * The harness's timer (`timeSideBySide` of @linearconv/conformance/bench: warm-up, interleaved
 * rounds in a shuffled order, medians) with what whole-model tfjs benchmarks need on top: a call
 * counts until its result is on the CPU (a returned tensor is downloaded and disposed), and
 * optional settings with defaults.
 */
import { summariseSamples, type Timing, timeSideBySide } from '@linearconv/conformance/bench';

export type { Timing };
/** Median, extremes and count of measured run times. */
export const summarise = summariseSamples;

export interface TimingOptions {
  /** Unmeasured runs first (kernel compilation, caches, lazy weight uploads). Default 2. */
  warmup?: number;
  /** Measured runs at most. Default 10. */
  runs?: number;
  /** Stop early once the measured runs of each operation have taken this long on average, keeping at least `minRuns`. */
  budgetMs?: number;
  /** Default 3. */
  minRuns?: number;
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
 * Times several operations side by side (one run of each per round, so a change in machine load
 * hits all of them alike). `budgetMs` is per operation.
 */
export async function timeEach(fns: readonly (() => unknown)[], options: TimingOptions = {}): Promise<Timing[]> {
  const { warmup = 2, runs = 10, budgetMs = Number.POSITIVE_INFINITY, minRuns = 3 } = options;
  return timeSideBySide(
    fns.map((fn) => async () => settle(await fn())),
    { warmup, minRuns, maxRuns: runs, budgetMs: budgetMs * fns.length },
  );
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
