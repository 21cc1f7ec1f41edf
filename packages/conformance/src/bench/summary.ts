import type { BenchReport, BenchResult } from './result.js';
import { median } from './timing.js';

/** One backend's results at a glance: how LinearConv compares with the plain conv across cases. */
export interface BackendSummary {
  readonly backend: string;
  /** Layer × batch cases measured. */
  readonly measured: number;
  readonly skipped: number;
  readonly failed: number;
  /** Geometric mean of ratioToConv over the measured cases; null when none. */
  readonly ratioGeomean: number | null;
  /** The same at each batch size of the report, in its order. */
  readonly ratioGeomeanByBatch: readonly (number | null)[];
  readonly ratioMin: number | null;
  readonly ratioMax: number | null;
  /**
   * The control's ratios (a copy of the plain conv against the conv) over the same cases:
   * geometric mean, lowest and highest; null when none was measured (a linearconv-bench@1 file).
   */
  readonly control: { readonly geomean: number; readonly min: number; readonly max: number } | null;
  /** Median over the cases of the plain conv's GFLOP/s. */
  readonly convGflopsMedian: number | null;
  readonly maxAbsError: number | null;
  /** Set when the backend could not start. */
  readonly unavailable?: string;
}

export function summariseBackends(report: Pick<BenchReport, 'settings' | 'results' | 'omitted' | 'unavailable'>): BackendSummary[] {
  return report.settings.backends.map((backend) => {
    const rows = report.results.filter((r) => r.backend === backend);
    const linear = rows.filter((r) => r.variant === 'linearconv');
    const ratios = linear.map((r) => r.ratioToConv!);
    const controls = rows.filter((r) => r.variant === 'control').map((r) => r.ratioToConv!);
    const omitted = report.omitted.filter((o) => o.backend === backend);
    const unavailable = report.unavailable.find((u) => u.backend === backend);
    const gflops = rows.filter((r) => r.variant === 'conv').map((r) => r.gflops);
    return {
      backend,
      measured: linear.length,
      skipped: omitted.filter((o) => o.reason.startsWith('skipped')).length,
      failed: omitted.filter((o) => !o.reason.startsWith('skipped')).length,
      ratioGeomean: geomean(ratios),
      ratioGeomeanByBatch: report.settings.batches.map((batch) => geomean(linear.filter((r) => r.batch === batch).map((r) => r.ratioToConv!))),
      ratioMin: ratios.length ? Math.min(...ratios) : null,
      ratioMax: ratios.length ? Math.max(...ratios) : null,
      control: controls.length ? { geomean: geomean(controls)!, min: Math.min(...controls), max: Math.max(...controls) } : null,
      convGflopsMedian: gflops.length ? median(gflops) : null,
      maxAbsError: rows.length ? Math.max(...rows.map((r) => r.maxAbsError)) : null,
      ...(unavailable && { unavailable: unavailable.reason }),
    };
  });
}

/** One layer × batch across the backends: the cell of each, measured or why not. */
export interface CaseRow {
  readonly layer: string;
  readonly batch: number;
  readonly cells: readonly CaseCell[];
}

export type CaseCell =
  /** `control` is absent in a linearconv-bench@1 report. */
  | { readonly kind: 'measured'; readonly conv: BenchResult; readonly linearconv: BenchResult; readonly control?: BenchResult }
  | { readonly kind: 'omitted' | 'unavailable'; readonly reason: string }
  /** Not asked for (a partial report); shown empty. */
  | { readonly kind: 'none' };

/** Cases in the order of the report's layers, then batches; cells in the order of its backends. */
export function caseRows(report: Pick<BenchReport, 'settings' | 'layers' | 'results' | 'omitted' | 'unavailable'>): CaseRow[] {
  const rows: CaseRow[] = [];
  for (const layer of report.layers) {
    for (const batch of report.settings.batches) {
      const cells = report.settings.backends.map((backend): CaseCell => {
        const mine = (r: { layer: string; batch: number; backend: string }) => r.layer === layer.name && r.batch === batch && r.backend === backend;
        const conv = report.results.find((r) => mine(r) && r.variant === 'conv');
        const linearconv = report.results.find((r) => mine(r) && r.variant === 'linearconv');
        const control = report.results.find((r) => mine(r) && r.variant === 'control');
        if (conv && linearconv) return { kind: 'measured', conv, linearconv, ...(control && { control }) };
        const omitted = report.omitted.find(mine);
        if (omitted) return { kind: 'omitted', reason: omitted.reason };
        const unavailable = report.unavailable.find((u) => u.backend === backend);
        if (unavailable) return { kind: 'unavailable', reason: unavailable.reason };
        return { kind: 'none' };
      });
      rows.push({ layer: layer.name, batch, cells });
    }
  }
  return rows;
}

function geomean(values: readonly number[]): number | null {
  return values.length ? Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length) : null;
}
