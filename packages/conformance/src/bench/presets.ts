import { type BenchLayer, QUICK_LAYERS, selectLayers, standardLayers } from './layers.js';
import type { TimingSettings } from './timing.js';

/** What to measure and how long: the CLI (`linearconv bench [--quick]`) and the lab use the same. */
export interface BenchPreset {
  readonly quick: boolean;
  /** Built from the zoo on each read, so importing the presets costs nothing. */
  readonly layers: readonly BenchLayer[];
  readonly batches: readonly number[];
  readonly timing: TimingSettings;
}

// The budget is for the three operations of a case together (conv, linearconv, control). Quick
// runs fewer cases, so it can afford more runs of each than it once did (3 to 20 in 150 ms): with
// those, same-model controls strayed by up to ×0.37–×3.07 on a 2-core machine; with these,
// mostly within ±5 %, in about the same time (36.6 s for every Node backend at load average 3).

/** 4 layers at batch 1, short budgets: a check that every backend runs and agrees, not a speed measurement. */
export const quickBench: BenchPreset = Object.freeze({
  quick: true,
  get layers() {
    return selectLayers(QUICK_LAYERS);
  },
  batches: Object.freeze([1]),
  timing: Object.freeze({ warmup: 2, minRuns: 5, maxRuns: 200, budgetMs: 600 }),
});

/** Every distinct conv shape of the paper's CIFAR models (standardLayers) at batch 1 and 32. */
export const defaultBench: BenchPreset = Object.freeze({
  quick: false,
  get layers() {
    return standardLayers();
  },
  batches: Object.freeze([1, 32]),
  timing: Object.freeze({ warmup: 2, minRuns: 3, maxRuns: 50, budgetMs: 750 }),
});
