import { UsageError } from '../io.js';
import { readJsonIfExists } from './read-json.js';

/**
 * What the report checks of a results.json written by the linearconv repository's `pnpm
 * reproduce` (benchmarks/src/reproduce); the page renders it, heatmaps from its runs' matrices.
 */
export interface ReproduceResults {
  readonly kind?: 'smoke' | 'parity';
  readonly summary: readonly unknown[];
}

/** The reproduction results, or null when the file does not exist. A file that exists but is not such results is a UsageError naming it. */
export async function readReproduce(file: string): Promise<ReproduceResults | null> {
  const results = (await readJsonIfExists(file)) as ReproduceResults | null;
  if (results === null) return null;
  const rows = (results as { summary?: unknown })?.summary;
  if (!Array.isArray(rows) || !rows.every(isRow)) {
    throw new UsageError(`${file}: summary: must be a list of {dataset, variant, params, accuracy: {mean, sd}, deltaVsConv, paper}`);
  }
  return results;
}

function isRow(row: unknown): boolean {
  const r = row as Record<string, unknown> | null;
  const mean = (v: unknown) => typeof (v as { mean?: unknown } | null)?.mean === 'number';
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.dataset === 'string' &&
    typeof r.variant === 'string' &&
    typeof r.params === 'number' &&
    mean(r.accuracy) &&
    (r.deltaVsConv === null || mean(r.deltaVsConv)) &&
    typeof r.paper === 'object'
  );
}
