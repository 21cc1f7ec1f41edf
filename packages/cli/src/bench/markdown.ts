import { type BenchReport, type CaseCell, caseRows, formatMs, formatRatio, summariseBackends } from '@linearconv/conformance/bench';
import { controlNotes } from './control.js';
import { summaryCells, summaryHeader } from './format.js';
import { benchNotes } from './notes.js';

/** bench.md: how it was measured, the per-backend summary, and layer × backend latency with the ratio. */
export function benchMarkdown(report: BenchReport): string {
  const backends = report.settings.backends;
  const batches = report.settings.batches;
  const shapes = new Map(report.layers.map((l) => [l.name, l.shape]));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const summary = summariseBackends(report);
  const omissions = [...new Set(report.omitted.map((o) => `${o.backend}: ${o.reason}`))];
  return [
    '# linearconv bench: LinearConv against a plain conv of the same shape',
    '',
    `\`${report.command}\`, ${report.date}, ${report.totalSeconds.toFixed(0)} s.`,
    '',
    ...benchNotes(report).flatMap((n) => [n, '']),
    '## Per backend',
    '',
    line(['backend', ...summaryHeader(batches)]),
    line(['---', ...summaryHeader(batches).map(() => '---:')]),
    ...summary.map((s) =>
      s.unavailable !== undefined
        ? line([s.backend, `unavailable: ${escapeCell(s.unavailable)}`, ...Array(summaryHeader(batches).length - 1).fill('')])
        : line([s.backend, ...summaryCells(s)]),
    ),
    '',
    ...controlNotes(report).flatMap((n) => [n, '']),
    '## LinearConv latency in ms (ratio to the plain conv) per layer and backend',
    '',
    line(['layer', 'shape', 'batch', ...backends]),
    line(['---', '---', '---:', ...backends.map(() => '---:')]),
    ...caseRows(report).map((row) => line([row.layer, shapes.get(row.layer) ?? '', String(row.batch), ...row.cells.map(markdownCell)])),
    '',
    ...(omissions.length ? ['Not measured:', '', ...omissions.map((o) => `- ${escapeCell(o)}`), ''] : []),
  ].join('\n');
}

function markdownCell(cell: CaseCell): string {
  switch (cell.kind) {
    case 'measured':
      return `${formatMs(cell.linearconv.medianMs)} (${formatRatio(cell.linearconv.ratioToConv)})`;
    case 'omitted':
      return cell.reason.startsWith('skipped') ? 'skipped' : 'failed';
    case 'unavailable':
      return 'unavailable';
    case 'none':
      return '';
  }
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
