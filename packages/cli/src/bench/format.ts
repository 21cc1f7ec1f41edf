import type { BackendSummary } from './summary.js';
/** Number formats shared by the terminal table, the Markdown, the chart and the HTML report. */

export function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

export function formatRatio(ratio: number | null): string {
  return ratio === null ? '–' : `×${ratio.toFixed(2)}`;
}

export function formatError(error: number | null): string {
  return error === null ? '–' : error === 0 ? '0' : error.toExponential(1);
}

export function formatGflops(gflops: number | null): string {
  return gflops === null ? '–' : gflops >= 10 ? gflops.toFixed(0) : gflops.toFixed(1);
}

/** A backend's control ratios as a range, `×0.97–×1.04`, or `–` without a control. */
export function formatControl(s: BackendSummary): string {
  return s.control === null ? '–' : `${formatRatio(s.control.min)}–${formatRatio(s.control.max)}`;
}

/** The headers of the summary tables after `backend`, for the batches of the report (Markdown and HTML). */
export function summaryHeader(batches: readonly number[]): string[] {
  return ['cases measured', 'linearconv/conv (geomean)', ...batches.map((b) => `at batch ${b}`), 'range', 'control (range)', 'conv GFLOP/s (median)', 'max error', 'skipped', 'failed'];
}

/** The cells of a measured backend's summary row, after its name, as both tables show them. */
export function summaryCells(s: BackendSummary): string[] {
  return [
    String(s.measured),
    formatRatio(s.ratioGeomean),
    ...s.ratioGeomeanByBatch.map(formatRatio),
    s.ratioMin === null ? '–' : `${formatRatio(s.ratioMin)}–${formatRatio(s.ratioMax)}`,
    formatControl(s),
    formatGflops(s.convGflopsMedian),
    formatError(s.maxAbsError),
    String(s.skipped),
    String(s.failed),
  ];
}
