import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../io.js';
import { readJsonIfExists } from './read-json.js';

/** What the report reads of a results.json written by the linearconv repository's `pnpm reproduce`. */
export interface ReproduceResults {
  readonly command?: string;
  readonly date?: string;
  readonly machine?: string;
  readonly budget?: string;
  /**
   * `smoke`: too short to compare with the paper (it shows that every variant trains); `parity`,
   * or absent (files written before the field), a paper-parity run.
   */
  readonly kind?: 'smoke' | 'parity';
  /** Per dataset, the test accuracy in % of always answering the test split's most frequent class. */
  readonly chance?: Readonly<Record<string, number>>;
  readonly settings?: {
    readonly model?: string;
    readonly train?: number;
    readonly test?: number;
    readonly epochs?: number;
    readonly seeds?: readonly number[];
    /** Training steps of each run. */
    readonly stepsPerRun?: number;
  };
  readonly summary: readonly ReproduceRow[];
}

export interface ReproduceRow {
  readonly dataset: string;
  readonly variant: string;
  readonly params: number;
  /** Test accuracy in %, mean and sample standard deviation over seeds (null for one seed). */
  readonly accuracy: Spread;
  /** Accuracy minus Conv's in pp; null for Conv itself. */
  readonly deltaVsConv: Spread | null;
  /** The paper's Conv accuracy, or the variant's delta. */
  readonly paper: { readonly accuracy?: number; readonly delta?: number };
}

export interface Spread {
  readonly mean: number;
  readonly sd: number | null;
}

/** An SVG file beside results.json, as text. */
export interface Heatmap {
  readonly file: string;
  readonly svg: string;
}

/**
 * The reproduction results and the heatmap SVGs beside them (`heatmap-*.svg`), or null when the
 * file does not exist. A file that exists but is not such results is a UsageError naming it.
 */
export async function readReproduce(file: string): Promise<{ results: ReproduceResults; heatmaps: Heatmap[] } | null> {
  const results = (await readJsonIfExists(file)) as ReproduceResults | null;
  if (results === null) return null;
  const rows = (results as { summary?: unknown })?.summary;
  if (!Array.isArray(rows) || !rows.every(isRow)) {
    throw new UsageError(`${file}: summary: must be a list of {dataset, variant, params, accuracy: {mean, sd}, deltaVsConv, paper}`);
  }
  const dir = dirname(file);
  const names = (await readdir(dir)).filter((f) => /^heatmap-[\w.-]+\.svg$/.test(f)).sort();
  const heatmaps = await Promise.all(names.map(async (name) => ({ file: name, svg: await readFile(join(dir, name), 'utf8') })));
  return { results, heatmaps };
}

function isRow(row: unknown): row is ReproduceRow {
  const r = row as Partial<ReproduceRow>;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.dataset === 'string' &&
    typeof r.variant === 'string' &&
    typeof r.params === 'number' &&
    typeof r.accuracy?.mean === 'number' &&
    (r.deltaVsConv === null || typeof r.deltaVsConv?.mean === 'number') &&
    typeof r.paper === 'object'
  );
}
