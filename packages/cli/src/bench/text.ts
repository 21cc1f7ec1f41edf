import { type BenchReport, caseRows, formatError, formatGflops, formatMs, formatRatio, summariseBackends } from '@linearconv/conformance/bench';
import { controlNotes } from './control.js';
import { formatControl } from './format.js';

/** The terminal table (one row per case and backend, skipped cases with their reason) and the per-backend summary. */
export function benchText(report: BenchReport): string {
  const shapes = new Map(report.layers.map((l) => [l.name, l.shape]));
  const rows: string[][] = [];
  for (const row of caseRows(report)) {
    for (const [i, cell] of row.cells.entries()) {
      const head = [row.layer, shapes.get(row.layer) ?? '', String(row.batch), report.settings.backends[i]];
      if (cell.kind === 'measured') {
        const { conv, linearconv, control } = cell;
        rows.push([
          ...head,
          formatMs(conv.medianMs),
          formatMs(linearconv.medianMs),
          formatRatio(linearconv.ratioToConv),
          formatRatio(control?.ratioToConv ?? null),
          formatGflops(linearconv.gflops),
          formatError(Math.max(conv.maxAbsError, linearconv.maxAbsError)),
        ]);
      } else if (cell.kind === 'omitted') {
        rows.push([...head, cell.reason]);
      }
      // Unavailable backends get one line below, not one per case.
    }
  }
  const table = alignColumns(
    ['layer', 'shape', 'batch', 'backend', 'conv ms', 'linearconv ms', 'ratio', 'control', 'GFLOP/s', 'max error'],
    rows,
    [false, false, true, false, true, true, true, true, true, true],
  );
  const batches = report.settings.batches;
  const summary = alignColumns(
    ['backend', 'measured', 'skipped', 'failed', 'linearconv/conv (geomean)', ...batches.map((b) => `at batch ${b}`), 'range', 'control (range)', 'conv GFLOP/s (median)', 'max error'],
    summariseBackends(report).map((s) =>
      s.unavailable !== undefined
        ? [s.backend, `unavailable: ${s.unavailable}`]
        : [
            s.backend,
            String(s.measured),
            String(s.skipped),
            String(s.failed),
            formatRatio(s.ratioGeomean),
            ...s.ratioGeomeanByBatch.map(formatRatio),
            s.ratioMin === null ? '–' : `${formatRatio(s.ratioMin)}–${formatRatio(s.ratioMax)}`,
            formatControl(s),
            formatGflops(s.convGflopsMedian),
            formatError(s.maxAbsError),
          ],
    ),
    [false, true, true, true, true, ...batches.map(() => true), true, true, true, true],
  );
  return [table, '', 'Per backend: LinearConv against a plain conv of the same shape', '', summary, '', ...controlNotes(report)].join('\n');
}

/**
 * Columns padded to their widest cell, right-aligned where `right` says; a row shorter than the
 * header (a note in place of numbers) runs on from its last cell.
 */
export function alignColumns(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const full = [header, ...rows.filter((r) => r.length === header.length)];
  const widths = header.map((_, c) => Math.max(...full.map((r) => r[c].length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) => (row.length < header.length && c === row.length - 1 ? cell : right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
