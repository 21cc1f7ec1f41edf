import { type BackendSummary, formatError, formatGflops, formatRatio } from '@linearconv/conformance/bench';

// The number formats are the harness's, shared with the lab; re-exported for the report's imports.
export { formatError, formatGflops, formatMs, formatRatio } from '@linearconv/conformance/bench';

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
