// The one renderer of linearconv results (tables and Observable Plot charts): the lab page and
// `linearconv report` both call it. Browser-only (it builds DOM), framework-free.
import { type ChartContext, errorChart, gflopsChart, ratioChart } from './charts.js';
import { backendColours } from './colours.js';
import { h } from './dom.js';
import { formatRange } from './format.js';
import { type LabeledResult, type Series, backendNames, seriesOf, speedSummary } from './series.js';
import { ensureStyle } from './style.js';
import { CONTROL_TOLERANCE, backendTable, conformanceTable, deviceTable, layerTable, speedTable } from './tables.js';

export { PALETTE, backendColours } from './colours.js';
export { formatError, formatGflops, formatMs, formatRatio } from './format.js';
export { labeledResult } from './load.js';
export { type ReproduceResults, renderReproduction } from './reproduction.js';
export { type LabeledResult, type Series, backendNames, seriesOf, speedSummary } from './series.js';
export type { BenchReport, BenchResult, CheckResult, ConformanceReport, DeviceInfo } from './types.js';

/**
 * Replaces `el`'s content with the tables and charts of `results`, several results (devices, runs)
 * side by side in the same tables and charts: each backend of each result is one row.
 */
export function renderResults(el: HTMLElement, results: readonly LabeledResult[]): void {
  const doc = el.ownerDocument;
  ensureStyle(doc);
  const series = seriesOf(results);
  const names = backendNames(results);
  const context: ChartContext = {
    doc,
    colours: backendColours(names),
    // Never wider than the element: the page does not scroll sideways because of a chart.
    width: Math.max(480, Math.min(1340, el.clientWidth || 960)),
    labels: results.map((r) => r.label),
  };
  const layers = unique(results.flatMap((r) => r.bench?.layers ?? []), (l) => l.name);
  const batches = [...new Set(results.flatMap((r) => r.bench?.settings.batches ?? []))].sort((a, b) => a - b);
  const quick = results.filter((r) => r.bench?.settings.quick).map((r) => r.label);
  const section = (title: string, ...body: (Node | null | false | string)[]) => {
    const content = body.filter((b): b is Node | string => b !== null && b !== false);
    return content.length ? h(doc, 'section', { class: 'lc-section' }, h(doc, 'h2', {}, title), ...content) : null;
  };
  const speed = speedTable(doc, series);
  const charts = [ratioChart(context, series), gflopsChart(context, series, layers.map((l) => l.name), batches), errorChart(context, series)];
  const root = h(
    doc,
    'div',
    { class: 'lc-results' },
    section('Where it ran', deviceTable(doc, results), backendTable(doc, series)),
    section('Conformance against the float64 reference', conformanceTable(doc, series)),
    section(
      'Speed: LinearConv against a plain conv of the same shape',
      quick.length > 0 &&
        h(doc, 'p', { class: 'lc-note' }, `Quick run (${quick.join(', ')}): a check that every backend runs and agrees with the reference, not a speed measurement; where the control strays beyond ±5 %, the ratios are noise.`),
      ...controlNotes(doc, series),
      speed,
      ...charts,
      speed && h(doc, 'h3', {}, 'LinearConv latency in ms (÷ the plain conv) per layer and backend'),
      layerTable(doc, series, layers, batches),
    ),
  );
  el.replaceChildren(root);
}

/** What the control (a second copy of the conv, timed in the same rounds) says about how far the ratios can be read. */
function controlNotes(doc: Document, series: readonly Series[]): HTMLElement[] {
  const measured = series.map((s) => ({ s, sum: speedSummary(s) })).filter(({ sum }) => sum.measured > 0);
  if (measured.length === 0) return [];
  const withControl = measured.filter(({ sum }) => sum.control !== null);
  const percent = `±${CONTROL_TOLERANCE * 100} %`;
  const note = (text: string) => h(doc, 'p', { class: 'lc-control' }, text);
  // Only linearconv-bench@1 files lack the control, for all their backends at once: name the files.
  const lacking = [...new Set(measured.filter(({ sum }) => sum.control === null).map(({ s }) => s.label))];
  const notes: HTMLElement[] = [];
  if (lacking.length) notes.push(note(`No control was measured in ${lacking.join(', ')} (a linearconv-bench@1 report): how much of each ratio is noise is not known.`));
  if (withControl.length === 0) return notes;
  const noisy = withControl.filter(({ sum }) => sum.control!.min < 1 - CONTROL_TOLERANCE || sum.control!.max > 1 + CONTROL_TOLERANCE);
  const lo = Math.min(...withControl.map(({ sum }) => sum.control!.min));
  const hi = Math.max(...withControl.map(({ sum }) => sum.control!.max));
  notes.push(
    note(
      'Control: each case also times a second copy of the plain conv in the same rounds; without noise its ratio to the conv would be ×1.00. ' +
        (noisy.length === 0
          ? `It stayed within ${percent} on every backend (${formatRange({ min: lo, max: hi })}): the LinearConv ÷ conv ratios are resolved to about ${percent}.`
          : `It strayed beyond ${percent} on ${noisy.length} of ${withControl.length} (${noisy.map(({ s, sum }) => `${s.key} ${formatRange(sum.control)}`).join(', ')}): there the ratios cannot tell the layers apart.`),
    ),
  );
  return notes;
}

function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
