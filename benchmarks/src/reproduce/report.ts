/** The results as a terminal table, results.json, results.md and one SVG heatmap per run picture. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetName } from './data.js';
import { heatmapSvg } from './heatmap.js';
import { datasetTitles, modelTitle } from './paper.js';
import type { ReproduceResult } from './reproduce.js';
import { PARITY_MIN_STEPS, type RunKind } from './run-kind.js';
import type { Spread, SummaryRow } from './summary.js';
import type { RunResult } from './train.js';

/** How a table reads: a parity run next to the paper's figures, a smoke run next to chance only. */
export interface TableKind {
  kind: RunKind;
  /** Per dataset, in % (smoke runs). */
  chance?: ReproduceResult['chance'];
}

const PARITY_HEADER = ['dataset', 'model', 'params', 'test acc %', 'Δ vs Conv (pp)', '95 % CI of Δ', 'paper', 's / epoch', 'mean |corr| primaries', 'mean |corr| bank'];
// No Δ vs Conv and no paper column: after a few dozen steps neither compares.
const SMOKE_HEADER = ['dataset', 'model', 'params', 'test acc %', 'chance %', 's / epoch', 'mean |corr| primaries', 'mean |corr| bank'];

export function tableHeader({ kind }: TableKind): string[] {
  return kind === 'smoke' ? SMOKE_HEADER : PARITY_HEADER;
}

/** The table's cells, one array a row: shared by the terminal and Markdown tables. */
export function tableCells(rows: readonly SummaryRow[], table: TableKind = { kind: 'parity' }): string[][] {
  return rows.map((row) => [
    row.dataset,
    modelTitle(row.variant),
    row.params.toLocaleString('en'),
    spreadText(row.accuracy, 2),
    ...(table.kind === 'smoke'
      ? [table.chance?.[row.dataset]?.toFixed(2) ?? '–']
      : [
          row.deltaVsConv ? spreadText(row.deltaVsConv, 2, true) : '–',
          row.deltaVsConv ? intervalText(row.deltaVsConv) : '–',
          row.paper.accuracy !== undefined ? `${row.paper.accuracy.toFixed(1)} %` : row.paper.delta !== undefined ? signed(row.paper.delta, 1) : '–',
        ]),
    row.secondsPerEpoch.toFixed(1),
    `${row.correlation.primaries.initial.toFixed(3)} → ${row.correlation.primaries.trained.toFixed(3)}`,
    `${row.correlation.bank.initial.toFixed(3)} → ${row.correlation.bank.trained.toFixed(3)}`,
  ]);
}

export function textTable(rows: readonly SummaryRow[], table: TableKind = { kind: 'parity' }): string {
  const header = tableHeader(table);
  const all = [header, ...tableCells(rows, table)];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function markdownTable(rows: readonly SummaryRow[], table: TableKind = { kind: 'parity' }): string {
  const header = tableHeader(table);
  // A | inside a cell would end it.
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map((_, c) => (c < 2 ? '---' : '---:'))), ...tableCells(rows, table).map(line)].join('\n');
}

/** The title of a result, in results.md and on the terminal. */
export function resultTitle(kind: RunKind, datasets: readonly DatasetName[]): string {
  const on = `Base on ${datasets.map((d) => datasetTitles[d]).join(' and ')}`;
  return kind === 'smoke' ? `Training smoke run (not paper parity): ${on}` : `Paper parity: ${on}`;
}

/** What a smoke run shows, and what it does not. */
export function smokeNote(result: Pick<ReproduceResult, 'settings' | 'chance'>): string {
  const steps = Math.min(...Object.values(result.settings.sizes).map((s) => s.stepsPerRun));
  const chance = Object.entries(result.chance)
    .map(([dataset, value]) => `${dataset} ${value.toFixed(2)} %`)
    .join(', ');
  return (
    `A smoke run: ${steps} training steps a run, fewer than the ${PARITY_MIN_STEPS} of the default budget (and far from the paper's up to 250 epochs on the full datasets). ` +
    `It shows that every variant trains; its accuracies are not comparable with each other's or the paper's, only with chance (always answering the most frequent test class: ${chance}).`
  );
}

export interface ReportOptions {
  /**
   * Also draw each run's whole bank (F × F; LinearConv: composed). Off by default: a 64 × 64
   * picture is ~400 kB of SVG, and its mean is in the table anyway.
   */
  banks?: boolean;
}

/** The heatmap files of a result: the first seed's run of each dataset × variant. */
export function heatmaps(result: ReproduceResult, options: ReportOptions = {}): { file: string; svg: string; run: RunResult; part: 'primaries' | 'bank' }[] {
  const seed = result.settings.seeds[0];
  const parts = options.banks ? (['primaries', 'bank'] as const) : (['primaries'] as const);
  return result.runs
    .filter((run) => run.seed === seed)
    .flatMap((run) => parts.map((part) => ({ part, run })))
    .map(({ part, run }) => ({ part, run, file: `heatmap-${run.dataset}-${run.variant}${part === 'bank' ? '-bank' : ''}.svg`, svg: heatmapOf(run, part) }));
}

function heatmapOf(run: RunResult, part: 'primaries' | 'bank'): string {
  const c = run.correlation;
  const { matrix, filters, meanAbs } = c[part];
  const conv = run.variant === 'conv';
  const what =
    part === 'primaries'
      ? conv
        ? `the first ${filters} of its ${c.bank.filters} filters (like for like with LinearConv's ${filters} primaries)`
        : `its ${filters} primary filters`
      : conv
        ? `all ${filters} filters`
        : `the composed bank: ${c.primaries.filters} primaries, then ${filters - c.primaries.filters} combinations of them`;
  return heatmapSvg({
    matrix,
    n: filters,
    title: `${datasetTitles[run.dataset]} · ${modelTitle(run.variant)} · ${c.layer} ${part === 'bank' ? 'filter bank' : conv ? 'first p filters' : 'primaries'}`,
    caption: [
      `${modelTitle(run.variant)}, layer ${c.layer}: ${what}.`,
      `Mean |off-diagonal correlation| ${meanAbs.toFixed(3)} after training (${c.initial[part].toFixed(3)} at initialisation).`,
      `Seed ${run.seed}, test accuracy ${(100 * run.testAccuracy).toFixed(2)} % after ${run.epochLosses.length} epoch${run.epochLosses.length > 1 ? 's' : ''}.`,
    ],
  });
}

export function markdownReport(result: ReproduceResult, options: ReportOptions = {}): string {
  const s = result.settings;
  const h = s.hyperparameters;
  const maps = heatmaps(result, options);
  const banks = maps.filter((m) => m.part === 'bank');
  const smoke = result.kind === 'smoke';
  const images = s.datasets.map((d) => `${d} ${s.sizes[d]!.train} train / ${s.sizes[d]!.test} test (${s.sizes[d]!.stepsPerRun} steps a run)`).join(', ');
  return [
    `# ${resultTitle(result.kind, result.settings.datasets)}`,
    '',
    ...(result.complete ? [] : [`**Partial results: ${result.runs.length} of ${result.runsPlanned} runs finished so far (a stopped run continues with \`--resume\`).**`, '']),
    ...(smoke ? [`**${smokeNote(result)}**`, ''] : []),
    `- command: \`${result.command}\``,
    `- budget: ${result.budget} — ${images}, ${s.epochs} epoch${s.epochs === 1 ? '' : 's'}, seeds ${s.seeds.join(', ')} (split seed ${s.dataSeed})`,
    `- date: ${result.date}`,
    `- machine: ${result.machine}`,
    `- backend: ${s.backend}`,
    `- input: ${s.input}`,
    `- training: ${s.optimizer}, batch ${h.batchSize}; -Lr and -LRr add ${s.penaltySchedule}; -LRr rank ${h.rank}`,
    `- batch norm: ${s.batchNorm}`,
    `- total time: ${(result.totalSeconds / 60).toFixed(1)} min${result.sessions > 1 ? ` in ${result.sessions} sessions (resumed from checkpoints)` : ''}`,
    '',
    markdownTable(result.summary, result),
    '',
    (smoke
      ? 'Accuracy is mean ± sample standard deviation over seeds (no ± from one seed); chance is the share of the test split\'s most frequent class. '
      : 'Accuracy is mean ± sample standard deviation over seeds (no ± from one seed); Δ vs Conv is paired by seed ' +
        '(same split, same batch order, the same seeded weight stream), mean ± sd of the per-seed differences, and its 95 % ' +
        'confidence interval is mean ± t(0.975, n − 1) · sd / √n (Student t over n seeds; with one seed there is none). ' +
        'An interval that contains 0 does not show a difference; one that contains the paper\'s delta is consistent with it. ' +
        '"paper" is the paper\'s Conv accuracy or its delta for the variant (as it prints them; ' +
        'none for -L); the paper trains for up to 250 epochs, so only the sign and size of the deltas compare. ') +
      `mean |corr| is the mean |Pearson correlation| between distinct filters of ${result.summary[0]?.correlation.layer ?? 'the layer'}, ` +
      'at initialisation → after training: primaries (Conv: its first p filters) and the whole bank (LinearConv: composed). ' +
      's / epoch is wall time of training; other load on the machine (see the load average) changes it between runs.',
    '',
    `Reproducibility: ${result.reproducibility}`,
    '',
    '## Filter correlations',
    '',
    `Layer ${result.summary[0]?.correlation.layer ?? ''} after training, seed ${s.seeds[0]}: LinearConv's primaries, and Conv's first p filters for a like-for-like picture.`,
    '',
    ...maps.filter((m) => m.part === 'primaries').map((m) => `![${m.run.dataset} ${modelTitle(m.run.variant)}](${m.file})`),
    '',
    ...(banks.length > 0 ? [`Whole banks: ${banks.map((m) => `[${m.run.dataset} ${modelTitle(m.run.variant)}](${m.file})`).join(', ')}.`, ''] : []),
  ].join('\n');
}

/** Writes results.json, results.md and the heatmaps into `dir`; returns the file names. */
export async function writeReport(result: ReproduceResult, dir: string, options: ReportOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const maps = heatmaps(result, options);
  const json = JSON.stringify(result, jsonValue, 2)
    // Arrays of numbers on one line each, not one number a line.
    .replace(/\[\n\s*(-?[\d.e+-]+(?:,\n\s*-?[\d.e+-]+)*)\n\s*\]/g, (_, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`);
  const files: [string, string][] = [['results.json', `${json}\n`], ['results.md', markdownReport(result, options)], ...maps.map((m): [string, string] => [m.file, m.svg])];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name]) => name);
}

/**
 * Primaries' matrices at 3 decimals (nothing visible is lost); the banks' F × F matrices are
 * left to their SVGs, which carry every value, to keep the JSON small.
 */
function jsonValue(this: unknown, key: string, value: unknown): unknown {
  if (key === 'bank' && typeof value === 'object' && value !== null && 'matrix' in value) {
    const { matrix: _, ...rest } = value as { matrix: number[] };
    return rest;
  }
  return key === 'matrix' ? (value as number[]).map((v) => Math.round(v * 1000) / 1000) : value;
}

function intervalText(s: Spread): string {
  return s.ci95 ? `[${signed(s.ci95.low, 2)}, ${signed(s.ci95.high, 2)}]` : `n/a (${s.n} seed${s.n === 1 ? '' : 's'})`;
}

function spreadText(s: Spread, digits: number, sign = false): string {
  const mean = sign ? signed(s.mean, digits) : s.mean.toFixed(digits);
  return s.sd === null ? mean : `${mean} ± ${s.sd.toFixed(digits)}`;
}

function signed(x: number, digits: number): string {
  return `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(digits)}`;
}
