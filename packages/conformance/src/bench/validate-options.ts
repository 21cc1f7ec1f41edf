import { describe, isPositiveInteger, LinearConvError } from '@linearconv/core';
import type { BenchOptions } from './run-bench.js';

/** Refuses options runBench cannot honour, naming the field, before any backend starts. */
export function requireBenchOptions(options: BenchOptions): void {
  if (typeof options !== 'object' || options === null) throw new LinearConvError('options', `must be an object, got ${describe(options)}`);
  for (const field of ['layers', 'batches', 'backends'] as const) {
    if (!Array.isArray(options[field])) throw new LinearConvError(field, `must be a list, got ${describe(options[field])}`);
  }
  for (const [i, layer] of options.layers.entries()) {
    if (typeof layer?.name !== 'string' || typeof layer.spec !== 'object' || !isPositiveInteger(layer.macs)) {
      throw new LinearConvError(`layers[${i}]`, `must be a BenchLayer (from standardLayers or selectLayers), got ${describe(layer)}`);
    }
  }
  for (const [i, batch] of options.batches.entries()) {
    if (!isPositiveInteger(batch)) throw new LinearConvError(`batches[${i}]`, `must be a positive integer, got ${describe(batch)}`);
  }
  const timing = options.timing;
  if (typeof timing !== 'object' || timing === null) throw new LinearConvError('timing', `must be an object, got ${describe(timing)}`);
  for (const key of ['warmup', 'minRuns', 'maxRuns'] as const) {
    if (!Number.isInteger(timing[key]) || timing[key] < 0) throw new LinearConvError(`timing.${key}`, `must be a whole number ≥ 0, got ${describe(timing[key])}`);
  }
  if (!(timing.budgetMs >= 0)) throw new LinearConvError('timing.budgetMs', `must be a number ≥ 0, got ${describe(timing.budgetMs)}`);
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new LinearConvError('seed', `must be an integer, got ${describe(options.seed)}`);
}
