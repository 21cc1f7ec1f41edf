import { formatFlop } from './format.js';

/**
 * Backends too slow for the large cases, with the largest run (FLOP per forward pass) each is
 * given: a full bench stays within minutes, and what they skip is reported, not dropped.
 */
export const SLOW_BACKENDS: Readonly<Record<string, { readonly maxFlop: number; readonly why: string }>> = {
  reference: { maxFlop: 1e7, why: 'float64 JS loops, about 0.15 GFLOP/s' },
  'tfjs-cpu': { maxFlop: 1.5e8, why: 'plain JS kernels, 0.3 to 1 GFLOP/s' },
};

/** Why `backend` skips a run of `flop`, or undefined when it runs it. */
export function slowBackendSkip(backend: string, flop: number): string | undefined {
  const slow = SLOW_BACKENDS[backend];
  if (!slow || flop <= slow.maxFlop) return undefined;
  return `${formatFlop(flop)} a run is over ${backend}'s cap of ${formatFlop(slow.maxFlop)} (${slow.why})`;
}
