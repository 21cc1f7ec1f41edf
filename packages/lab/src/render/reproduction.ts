import * as Plot from '@observablehq/plot';
import { h, table } from './dom.js';
import { ensureStyle } from './style.js';

interface Spread {
  readonly mean: number;
  readonly sd: number | null;
}

/** What the renderer reads of a results.json of the linearconv repository's `pnpm reproduce`. */
export interface ReproduceResults {
  readonly command?: string;
  readonly date?: string;
  readonly machine?: string;
  readonly budget?: string;
  /** `smoke`: too short to compare with the paper; `parity` or absent (older files): a paper-parity run. */
  readonly kind?: 'smoke' | 'parity';
  /** Per dataset, the test accuracy in % of always answering the most frequent class. */
  readonly chance?: Readonly<Record<string, number>>;
  readonly settings?: { readonly model?: string; readonly train?: number; readonly test?: number; readonly epochs?: number; readonly seeds?: readonly number[]; readonly stepsPerRun?: number };
  readonly summary: readonly {
    readonly dataset: string;
    readonly variant: string;
    readonly params: number;
    readonly accuracy: Spread;
    readonly deltaVsConv: Spread | null;
    readonly paper: { readonly accuracy?: number; readonly delta?: number };
    readonly secondsPerEpoch?: number;
    readonly correlation?: { readonly primaries: { readonly initial: number; readonly trained: number } };
  }[];
  /** The table as benchmarks' reproduce writes it (its header and cells), shown as is; older files: built from `summary`. */
  readonly table?: { readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] };
  /** Each training run; the heatmaps are drawn from the first seed's primaries. */
  readonly runs?: readonly {
    readonly dataset: string;
    readonly variant: string;
    readonly seed: number;
    readonly correlation?: { readonly layer: string; readonly primaries: { readonly filters: number; readonly matrix: readonly number[]; readonly meanAbs: number } };
  }[];
}

/**
 * Replaces `el`'s content with the training results: the accuracy table (a smoke run against
 * chance only, a parity run against Conv and the paper) and a heatmap of each first-seed run's
 * |correlation| between primaries.
 */
export function renderReproduction(el: HTMLElement, results: ReproduceResults, source?: string): void {
  const doc = el.ownerDocument;
  ensureStyle(doc);
  const smoke = results.kind === 'smoke';
  const rows = results.summary;
  const timed = rows.some((r) => r.secondsPerEpoch !== undefined);
  const correlated = rows.some((r) => r.correlation !== undefined);
  const header = [
    'dataset',
    'variant',
    'params',
    'test accuracy %',
    ...(smoke ? ['chance %'] : ['Δ vs Conv (pp)', 'paper (Conv accuracy, or Δ)']),
    ...(timed ? ['s / epoch'] : []),
    ...(correlated ? ['mean |corr| primaries'] : []),
  ];
  const cells = rows.map((r) => [
    r.dataset,
    r.variant,
    r.params.toLocaleString('en'),
    spread(r.accuracy),
    ...(smoke
      ? [results.chance?.[r.dataset]?.toFixed(2) ?? '–']
      : [r.deltaVsConv ? spread(r.deltaVsConv, true) : '–', r.paper.accuracy !== undefined ? `${r.paper.accuracy.toFixed(1)} %` : r.paper.delta !== undefined ? signed(r.paper.delta, 1) : '–']),
    ...(timed ? [r.secondsPerEpoch?.toFixed(1) ?? '–'] : []),
    ...(correlated ? [r.correlation ? `${r.correlation.primaries.initial.toFixed(3)} → ${r.correlation.primaries.trained.toFixed(3)}` : '–'] : []),
  ]);
  const s = results.settings;
  const scale = [
    results.budget && `budget ${results.budget}`,
    s?.model && `model ${s.model}`,
    s?.train !== undefined && `${s.train} train / ${s.test} test images per dataset`,
    s?.epochs !== undefined && `${s.epochs} epoch${s.epochs === 1 ? '' : 's'}`,
    s?.stepsPerRun !== undefined && `${s.stepsPerRun} training steps a run`,
    s?.seeds && `seeds ${s.seeds.join(', ')}`,
  ].filter(Boolean);
  const from = [source && `From ${source}`, results.command && `command: ${results.command}`, results.date, results.machine && `on ${results.machine}`].filter(Boolean);
  el.replaceChildren(
    h(
      doc,
      'div',
      { class: 'lc-results lc-reproduction' },
      h(doc, 'h2', {}, smoke ? 'Training smoke run (not paper parity): Conv, -L, -Lr and -LRr' : 'Paper parity: accuracy of Conv, -L, -Lr and -LRr'),
      from.length > 0 && h(doc, 'p', { class: 'lc-note' }, `${from.join('; ')}.`),
      scale.length > 0 && h(doc, 'p', {}, `${scale.join('; ')}.`),
      h(
        doc,
        'p',
        { class: 'lc-note' },
        smoke
          ? 'A smoke run: too few training steps to compare the variants with each other or with the paper (which trains up to 250 epochs on the full datasets). It shows that every variant trains: compare its accuracies with chance (always answering the most frequent test class).'
          : 'Accuracy is the mean ± sample standard deviation over seeds; Δ vs Conv is paired by seed. The paper trains on the full datasets for far longer, so its deltas compare in sign and size only.',
      ),
      results.table ? table(doc, 'lc-reproduce', results.table.header, results.table.rows) : table(doc, 'lc-reproduce', header, cells),
      heatmaps(doc, results),
    ),
  );
}

/** Ten steps of |correlation| from 0 to 1: discrete, so that the legend needs no canvas. */
const HEATMAP_COLOUR = { type: 'quantize', n: 10, domain: [0, 1], scheme: 'blues', label: '|correlation|' } as const;

function heatmaps(doc: Document, results: ReproduceResults): HTMLElement {
  const seed = results.settings?.seeds?.[0] ?? results.runs?.[0]?.seed;
  const runs = (results.runs ?? []).filter((r) => r.seed === seed && r.correlation);
  if (runs.length === 0) return h(doc, 'p', { class: 'lc-note' }, 'No correlation matrices in these results (older results.json, or no runs).');
  return h(
    doc,
    'div',
    {},
    h(doc, 'h3', {}, `|Correlation| between primaries, layer ${runs[0].correlation!.layer}, seed ${seed} (Conv: its first p filters)`),
    Plot.legend({ document: doc, className: 'lc-heatmap', color: HEATMAP_COLOUR } as never) as Element,
    h(
      doc,
      'div',
      { class: 'lc-heatmaps' },
      ...runs.map((run) => {
        const { filters: n, matrix, meanAbs } = run.correlation!.primaries;
        const cells = Array.from(matrix, (value, i) => ({ row: Math.floor(i / n), column: i % n, value }));
        const size = Math.max(120, Math.min(260, n * 6));
        const plot = Plot.plot({
          document: doc,
          className: 'lc-heatmap',
          width: size + 60,
          height: size + 20,
          marginLeft: 10,
          marginTop: 10,
          marginBottom: 10,
          marginRight: 50,
          x: { axis: null },
          y: { axis: null },
          color: HEATMAP_COLOUR,
          marks: [Plot.cell(cells, { x: 'column', y: 'row', fill: 'value', inset: 0 })],
        });
        return h(doc, 'figure', { class: 'lc-heatmap-figure', 'data-run': `${run.dataset}-${run.variant}` }, plot, h(doc, 'figcaption', {}, `${run.dataset} · ${run.variant}: mean |corr| ${meanAbs.toFixed(3)}`));
      }),
    ),
  );
}

function spread(s: Spread, sign = false): string {
  const mean = sign ? signed(s.mean, 2) : s.mean.toFixed(2);
  return s.sd === null || s.sd === undefined ? mean : `${mean} ± ${s.sd.toFixed(2)}`;
}

function signed(x: number, digits: number): string {
  return `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(digits)}`;
}
