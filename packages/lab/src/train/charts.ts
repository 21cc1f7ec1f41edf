/** The training view's charts, drawn with Observable Plot: curves for both models, the primaries' correlations. */
import * as Plot from '@observablehq/plot';
import type { ModelKind } from './models.js';
import type { PrimaryCorrelation } from './primaries.js';
import type { TrainProgress } from './trainer.js';

/** One colour per model, the same in every chart. */
export const MODEL_COLOURS = { domain: ['conv', 'linearconv'], range: ['#4269d0', '#ff725c'] };
const LABELS: Record<ModelKind, string> = { conv: 'conv', linearconv: 'linearconv' };

/** Training loss per step, one line per model (log scale: early and late steps both readable). */
export function lossChart(doc: Document, progress: TrainProgress, width: number): Element {
  const data = Object.entries(progress.models).flatMap(([kind, m]) => m.loss.filter((p) => p.value > 0).map((p) => ({ model: LABELS[kind as ModelKind], ...p })));
  return Plot.plot({
    document: doc,
    width,
    height: 220,
    x: { label: 'step', domain: [0, progress.steps] },
    y: { type: 'log', label: 'training loss (log)', grid: true },
    color: { ...MODEL_COLOURS, legend: true },
    marks: [Plot.line(data, { x: 'step', y: 'value', stroke: 'model', z: 'model', strokeOpacity: 0.35 }), Plot.line(data, Plot.windowY({ k: 9, reduce: 'mean', anchor: 'end' }, { x: 'step', y: 'value', stroke: 'model', z: 'model', strokeWidth: 2 }))],
  });
}

/** Accuracy on held-out digits as training goes, with the chance line. */
export function accuracyChart(doc: Document, progress: TrainProgress, width: number): Element {
  const data = Object.entries(progress.models).flatMap(([kind, m]) => m.accuracy.map((p) => ({ model: LABELS[kind as ModelKind], ...p })));
  return Plot.plot({
    document: doc,
    width,
    height: 220,
    x: { label: 'step', domain: [0, progress.steps] },
    y: { label: 'held-out accuracy (%)', domain: [0, 100], grid: true, percent: true },
    color: { ...MODEL_COLOURS, legend: true },
    marks: [
      Plot.ruleY([0.1], { stroke: '#999', strokeDasharray: '4 3' }),
      Plot.text([{ step: progress.steps, value: 0.1 }], { x: 'step', y: 'value', text: () => 'chance', textAnchor: 'end', dy: -6, fill: '#777' }),
      Plot.line(data, { x: 'step', y: 'value', stroke: 'model', z: 'model', strokeWidth: 2 }),
      Plot.dot(data, { x: 'step', y: 'value', fill: 'model', r: 2.5 }),
    ],
  });
}

/** |Pearson correlation| between every pair of a layer's primaries (the paper's regulariser pushes it down off the diagonal). */
export function correlationHeatmap(doc: Document, correlation: PrimaryCorrelation, width: number): Element {
  const p = correlation.primaries;
  const cells = Array.from(correlation.matrix, (value, i) => ({ i: Math.floor(i / p), j: i % p, value }));
  const size = Math.min(width, 40 + p * 22);
  const color = { type: 'diverging', scheme: 'RdBu', domain: [-1, 1], reverse: true } as const;
  const legend = Plot.legend({ document: doc, color: { ...color, label: 'correlation' }, marginLeft: 12, marginRight: 12, width: 260 } as never) as Element; // Plot's types omit `document`
  const plot = Plot.plot({
    document: doc,
    width: size + 60,
    height: size,
    marginLeft: 40,
    padding: 0.04,
    x: { label: 'primary', domain: Array.from({ length: p }, (_, i) => i), axis: 'top' },
    y: { label: 'primary', domain: Array.from({ length: p }, (_, i) => i) },
    color,
    marks: [Plot.cell(cells, { x: 'j', y: 'i', fill: 'value', title: (c: { i: number; j: number; value: number }) => `primaries ${c.i}, ${c.j}: ${c.value.toFixed(2)}` })],
  });
  const box = doc.createElement('div');
  box.append(legend as Element, plot);
  return box;
}
