/** Runs → one row per dataset × variant: means over seeds, and deltas against Conv on the same seeds. */
import type { DatasetName } from './data.js';
import { type Interval, meanInterval } from './interval.js';
import { type PaperFigure, paperBase } from './paper.js';
import type { RunResult, VariantName } from './train.js';

/**
 * A mean over seeds, with the sample standard deviation and the 95 % confidence interval of the
 * mean (Student t, n − 1 dof); both null from a single seed.
 */
export interface Spread {
  mean: number;
  sd: number | null;
  n: number;
  ci95: Interval | null;
}

export interface SummaryRow {
  dataset: DatasetName;
  variant: VariantName;
  params: number;
  /** Test accuracy in %. */
  accuracy: Spread;
  /**
   * Accuracy minus Conv's in pp, paired by seed (same split, same batch order, the same seeded
   * weight stream), with its 95 % interval; null for Conv itself or when Conv was not run.
   */
  deltaVsConv: Spread | null;
  /** The paper's figure for this row (Conv's accuracy, or the variant's delta). */
  paper: PaperFigure;
  secondsPerEpoch: number;
  /** Mean |off-diagonal correlation| of the heatmap layer, before and after training (means over seeds). */
  correlation: {
    layer: string;
    primaries: { initial: number; trained: number };
    bank: { initial: number; trained: number };
  };
}

export function summarise(runs: readonly RunResult[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const keys = [...new Set(runs.map((r) => `${r.dataset}/${r.variant}`))];
  for (const key of keys) {
    const group = runs.filter((r) => `${r.dataset}/${r.variant}` === key);
    const { dataset, variant } = group[0];
    const conv = new Map(runs.filter((r) => r.dataset === dataset && r.variant === 'conv').map((r) => [r.seed, r]));
    const paired = group.filter((r) => conv.has(r.seed));
    const mean = (pick: (r: RunResult) => number) => spread(group.map(pick)).mean;
    rows.push({
      dataset,
      variant,
      params: group[0].params,
      accuracy: spread(group.map((r) => 100 * r.testAccuracy)),
      deltaVsConv:
        variant === 'conv' || paired.length === 0 ? null : spread(paired.map((r) => 100 * (r.testAccuracy - conv.get(r.seed)!.testAccuracy))),
      paper: paperBase[dataset][variant] ?? {},
      secondsPerEpoch: mean((r) => r.secondsPerEpoch),
      correlation: {
        layer: group[0].correlation.layer,
        primaries: { initial: mean((r) => r.correlation.initial.primaries), trained: mean((r) => r.meanAbsCorrelation) },
        bank: { initial: mean((r) => r.correlation.initial.bank), trained: mean((r) => r.correlation.bank.meanAbs) },
      },
    });
  }
  return rows;
}

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, sd, n, ci95: meanInterval(mean, sd, n) };
}
