import * as Plot from '@observablehq/plot';
import { h } from './dom.js';
import { formatError, formatGflops, formatMs, formatRatio } from './format.js';
import { type Series, speedSummary } from './series.js';

/** The colour of each backend, the same in every chart and legend. */
export interface Colours {
  readonly domain: readonly string[];
  readonly range: readonly string[];
}

export interface ChartContext {
  readonly doc: Document;
  readonly colours: Colours;
  /** Of the chart area, px. */
  readonly width: number;
  /** Result labels, in order; with more than one, each gets its own symbol. */
  readonly labels: readonly string[];
}

const ROW = 30;
const CLASS = 'lc-plot';

/**
 * LinearConv ÷ conv per backend: each case a thin tick, the geometric mean a dot with its value,
 * and the control's range (a second copy of the conv ÷ the conv) as a grey band: a dot inside the
 * band is a difference the measurement cannot resolve.
 */
export function ratioChart(context: ChartContext, series: readonly Series[]): HTMLElement | null {
  const rows = series.map((s) => ({ s, sum: speedSummary(s) })).filter(({ sum }) => sum.measured > 0);
  if (rows.length === 0) return null;
  const cases = rows.flatMap(({ s }) =>
    s.bench
      .filter((r) => r.variant === 'linearconv' && r.ratioToConv !== null)
      .map((r) => ({ key: s.key, backend: s.backend, ratio: r.ratioToConv!, title: `${s.key}\n${r.layer} · batch ${r.batch}: ${formatRatio(r.ratioToConv)} (${formatMs(r.medianMs)} ms)` })),
  );
  const means = rows.map(({ s, sum }) => ({ key: s.key, backend: s.backend, ratio: sum.ratio!, control: sum.control }));
  const bands = means.filter((m) => m.control !== null).map((m) => ({ key: m.key, min: m.control!.min, max: m.control!.max }));
  const values = [1, ...cases.map((c) => c.ratio), ...bands.flatMap((b) => [b.min, b.max])];
  const keys = rows.map(({ s }) => s.key);
  const svg = Plot.plot({
    ...frame(context, keys, keys.length * ROW + 50),
    marginRight: 40,
    x: { type: 'log', domain: [Math.min(...values) / 1.08, Math.max(...values) * 1.08], label: 'LinearConv ÷ conv, median time (log; left of 1: LinearConv faster)', grid: true, tickFormat: (r: number) => `×${r.toFixed(2)}`, ticks: 8 },
    y: { domain: keys, label: null, padding: 0.15, tickFormat: short },
    marks: [
      Plot.barX(bands, { y: 'key', x1: 'min', x2: 'max', fill: '#000', fillOpacity: 0.1, title: (b: (typeof bands)[number]) => `control ${formatRatio(b.min)}–${formatRatio(b.max)}: the noise` }),
      Plot.ruleX([1], { stroke: '#333' }),
      Plot.tickX(cases, { y: 'key', x: 'ratio', stroke: 'backend', strokeOpacity: 0.6, strokeWidth: 2, title: 'title' }),
      Plot.dot(means, { y: 'key', x: 'ratio', fill: 'backend', stroke: '#fff', r: 7, title: (m: (typeof means)[number]) => `${m.key}: geometric mean ${formatRatio(m.ratio)}` }),
      Plot.text(means, { y: 'key', x: 'ratio', text: (m: (typeof means)[number]) => formatRatio(m.ratio), dy: -11, fontSize: 11, fontWeight: 'bold' }),
    ],
  });
  return figure(context, 'ratio', 'LinearConv ÷ conv per backend', 'Dot: geometric mean over the cases; ticks: each layer × batch; grey band: the control (a second copy of the conv), i.e. the noise.', svg);
}

/** LinearConv's GFLOP/s for every layer, one dot per backend, a panel per batch size. */
export function gflopsChart(context: ChartContext, series: readonly Series[], layers: readonly string[], batches: readonly number[]): HTMLElement | null {
  const several = context.labels.length > 1;
  const data = series.flatMap((s) =>
    s.bench
      .filter((r) => r.variant === 'linearconv')
      .map((r) => ({ layer: r.layer, batch: r.batch, backend: s.backend, label: s.label, gflops: r.gflops, title: `${s.key}\n${r.layer} · batch ${r.batch}: ${formatGflops(r.gflops)} GFLOP/s (${formatMs(r.medianMs)} ms)` })),
  );
  if (data.length === 0) return null;
  const measured = layers.filter((l) => data.some((d) => d.layer === l));
  const svg = Plot.plot({
    ...frame(context, measured, measured.length * 22 + 70),
    x: { type: 'log', label: 'LinearConv GFLOP/s (log; right: faster)', grid: true, tickFormat: '~g' },
    y: { domain: measured, label: null, grid: true, tickFormat: short },
    fx: { domain: batches.filter((b) => data.some((d) => d.batch === b)), label: null, tickFormat: (b: number) => `batch ${b}` },
    ...(several && { symbol: { domain: [...context.labels] } }),
    marks: [
      Plot.frame({ stroke: '#ddd' }),
      Plot.dot(data, { x: 'gflops', y: 'layer', fx: 'batch', fill: 'backend', ...(several && { symbol: 'label' }), r: 5, stroke: '#fff', strokeWidth: 0.5, title: 'title' }),
    ],
  });
  return figure(context, 'gflops', 'GFLOP/s per backend and layer', '2 · conv MACs · batch ÷ LinearConv\'s median time; hover a dot for its figures.', svg);
}

/**
 * The largest error against the float64 reference: each speed case (the larger of conv's and
 * LinearConv's) and each conformance check. Exact results (0) cannot sit on a log axis: they are
 * named at the left instead.
 */
export function errorChart(context: ChartContext, series: readonly Series[]): HTMLElement | null {
  const points = series.flatMap((s) => [
    ...cases(s).map((c) => ({ key: s.key, backend: s.backend, source: 'speed case', error: c.error, title: `${s.key}\n${c.what}: ${formatError(c.error)}` })),
    ...s.checks
      .filter((c) => c.maxAbsError !== null)
      .map((c) => ({ key: s.key, backend: s.backend, source: 'conformance check', error: c.maxAbsError!, title: `${s.key}\n${c.case} · ${c.check} (${c.status}): ${formatError(c.maxAbsError)}` })),
  ]);
  const keys = [...new Set(points.map((p) => p.key))];
  if (keys.length === 0) return null;
  const positive = points.filter((p) => p.error > 0);
  const exact = keys.filter((k) => !positive.some((p) => p.key === k));
  const errors = positive.map((p) => p.error);
  const low = errors.length ? Math.min(...errors) / 3 : 1e-8;
  const high = errors.length ? Math.max(...errors) * 2 : 1e-6;
  const svg = Plot.plot({
    ...frame(context, keys, keys.length * ROW + 50),
    x: { type: 'log', domain: [low, high], label: 'max |output − float64 reference| (log)', grid: true, tickFormat: '.0e' },
    y: { domain: keys, label: null, grid: true, tickFormat: short },
    symbol: { domain: ['speed case', 'conformance check'], range: ['circle', 'triangle'] },
    marks: [
      Plot.dot(positive, { x: 'error', y: 'key', fill: 'backend', symbol: 'source', r: 4.5, fillOpacity: 0.75, title: 'title' }),
      Plot.text(
        exact.map((key) => ({ key })),
        { y: 'key', x: low, text: () => 'every error 0 (exact)', textAnchor: 'start', dx: 4, fill: '#555' },
      ),
    ],
  });
  const symbols = Plot.legend({ document: context.doc, className: CLASS, symbol: { domain: ['speed case', 'conformance check'], range: ['circle', 'triangle'] }, fill: '#555' } as never) as Element;
  const chart = figure(context, 'errors', 'Max error against the float64 reference', 'Circles: speed cases (first image of the batch); triangles: conformance checks.', svg);
  chart.insertBefore(h(context.doc, 'div', { class: 'lc-legend', 'data-legend': 'source' }, symbols), chart.lastChild);
  return chart;
}

function cases(s: Series): { what: string; error: number }[] {
  const byCase = new Map<string, number>();
  for (const r of s.bench) {
    if (r.variant === 'control') continue;
    const what = `${r.layer} · batch ${r.batch}`;
    byCase.set(what, Math.max(byCase.get(what) ?? 0, r.maxAbsError));
  }
  return [...byCase].map(([what, error]) => ({ what, error }));
}

/**
 * A chart with its heading, how to read it, and a legend naming every backend of the results (not
 * only those this chart has data for), and, with several results, which symbol is which.
 */
function figure(context: ChartContext, name: string, title: string, reading: string, svg: Element): HTMLElement {
  const { doc, colours } = context;
  // Plot's types omit `document` on legends; Plot.legend reads it like Plot.plot does.
  const legend = Plot.legend({ document: doc, className: CLASS, color: { type: 'categorical', domain: [...colours.domain], range: [...colours.range] } } as never) as Element;
  const parts: Node[] = [h(doc, 'div', { class: 'lc-legend', 'data-legend': 'backend' }, legend)];
  if (name === 'gflops' && context.labels.length > 1) {
    const symbols = Plot.legend({ document: doc, className: CLASS, symbol: { domain: [...context.labels] }, fill: '#555' } as never) as Element;
    parts.push(h(doc, 'div', { class: 'lc-legend', 'data-legend': 'result' }, symbols));
  }
  return h(doc, 'figure', { class: 'lc-chart', 'data-chart': name }, h(doc, 'figcaption', {}, h(doc, 'strong', {}, title), ` — ${reading}`), ...parts, svg);
}

const LONGEST = 52;

/** A row name that fits the margin: long ones keep their end, where backends and results differ. */
function short(name: string): string {
  return name.length > LONGEST ? `…${name.slice(-(LONGEST - 1))}` : name;
}

/** Room on the left for the longest row name (about 6.5 px a character at 10 px sans-serif). */
/** What every chart here shares: the page's document and width, the backend colours, room for the row labels. */
function frame(context: ChartContext, rows: readonly string[], height: number) {
  return {
    document: context.doc,
    className: CLASS,
    width: context.width,
    height,
    marginLeft: marginFor(rows),
    color: { domain: [...context.colours.domain], range: [...context.colours.range] },
  };
}

function marginFor(names: readonly string[]): number {
  return 16 + 6.5 * Math.min(LONGEST, Math.max(0, ...names.map((n) => n.length)));
}
