/**
 * LinearConv2D vs Conv2D on TensorFlow.js' cpu and wasm backends, in one process:
 *   a. inference latency (model.predict) of Base and VGG11, with the folded model as a third column;
 *   b. one training step (trainOnBatch, adam, categorical cross-entropy) of Base at batch 32;
 *   c. the same step on cpu vs wasm.
 * Usage: node dist/tfjs.js [--quick]. Writes results/tfjs.json and results/tfjs.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { enableWasmTraining, foldModel, trainableParams, zooModel } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { type Timing, type TimingOptions, timeEach } from './timing.js';

type Backend = 'cpu' | 'wasm';
type Variant = 'conv' | 'linearconv' | 'folded';
const variants: readonly Variant[] = ['conv', 'linearconv', 'folded'];

interface Row extends Timing {
  bench: 'inference' | 'training';
  backend: Backend;
  model: string;
  batch: number;
  variant: Variant;
  params: number;
}

interface Case {
  bench: Row['bench'];
  backend: Backend;
  model: 'base' | 'vgg11';
  batch: number;
  timing: TimingOptions;
}

const quick = process.argv.includes('--quick');
const resultsDir = new URL('../results/', import.meta.url);

// Budgets sized for 2 cores. tfjs-cpu runs convs at ~1 GFLOP/s (VGG11 is ~0.3 GFLOP an image)
// and its Conv2DBackpropFilter is far slower: one Base step at batch 32 takes 35–50 s there, so cpu
// training gets two runs and no warm-up (its first step has no compile cost worth the wait), and
// --quick trains at batch 4 on both backends.
function cases(): Case[] {
  const few: TimingOptions = quick ? { warmup: 1, runs: 2, minRuns: 2 } : { warmup: 1, runs: 5, budgetMs: 8000 };
  const many: TimingOptions = quick ? { warmup: 2, runs: 30, budgetMs: 300 } : { warmup: 3, runs: 30, budgetMs: 3000 };
  const slow: TimingOptions = quick ? { warmup: 0, runs: 1, minRuns: 1 } : { warmup: 0, runs: 2, minRuns: 2 };
  const trainBatch = quick ? 4 : 32;
  return [
    { bench: 'inference', backend: 'cpu', model: 'base', batch: 1, timing: many },
    { bench: 'inference', backend: 'cpu', model: 'vgg11', batch: 1, timing: few },
    { bench: 'inference', backend: 'wasm', model: 'base', batch: 1, timing: many },
    { bench: 'inference', backend: 'wasm', model: 'base', batch: 8, timing: many },
    { bench: 'inference', backend: 'wasm', model: 'vgg11', batch: 1, timing: many },
    { bench: 'inference', backend: 'wasm', model: 'vgg11', batch: 8, timing: many },
    { bench: 'training', backend: 'cpu', model: 'base', batch: trainBatch, timing: slow },
    { bench: 'training', backend: 'wasm', model: 'base', batch: trainBatch, timing: many },
  ];
}

async function runCase(c: Case): Promise<Row[]> {
  await tf.setBackend(c.backend);
  // Models are built after the switch so their weights live on this backend. Inference at
  // CIFAR's 32×32×3; training on an MNIST-shaped batch, 28×28×1 with 10 classes.
  const training = c.bench === 'training';
  const inputShape = training ? ([28, 28, 1] as const) : ([32, 32, 3] as const);
  const conv = zooModel(c.model, { variant: 'conv', inputShape });
  const linear = zooModel(c.model, { variant: 'full', inputShape });
  const models = [conv, linear, await foldModel(linear)];
  const x = tf.randomNormal([c.batch, ...inputShape], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([c.batch], 0, 10, 'int32', 2) as tf.Tensor1D, 10);
  for (const m of training ? models : []) m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const timings = await timeEach(
    models.map((m) => (training ? () => m.trainOnBatch(x, y) : () => m.predict(x))),
    c.timing,
  );
  const rows = variants.map((variant, i): Row => {
    const t = timings[i];
    console.log(`  ${c.bench} ${c.backend} ${c.model} b${c.batch} ${variant}: ${fmt(t.medianMs)} ms (${fmt(t.minMs)}–${fmt(t.maxMs)}, ${t.runs} runs)`);
    return { bench: c.bench, backend: c.backend, model: c.model, batch: c.batch, variant, params: trainableParams(models[i]), ...t };
  });
  for (const m of models) m.dispose();
  tf.dispose([x, y]);
  return rows;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const ratio = (a?: Row, b?: Row) => (a && b ? (a.medianMs / b.medianMs).toFixed(2) : '–');

/** One line per (bench, backend, model, batch): the variants side by side, and their ratios. */
function comparisonTable(rows: Row[]): string[] {
  const lines = [
    '| bench | backend | model | batch | Conv2D ms | LinearConv2D ms | folded ms | LinearConv/Conv | LinearConv/folded |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.bench}/${r.backend}/${r.model}/${r.batch}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const get = (v: Variant) => rows.find((o) => `${o.bench}/${o.backend}/${o.model}/${o.batch}` === key && o.variant === v);
    const [conv, linear, folded] = [get('conv'), get('linearconv'), get('folded')];
    const ms = (t?: Row) => (t ? fmt(t.medianMs) : '–');
    lines.push(`| ${r.bench} | ${r.backend} | ${r.model} | ${r.batch} | ${ms(conv)} | ${ms(linear)} | ${ms(folded)} | ${ratio(linear, conv)} | ${ratio(linear, folded)} |`);
  }
  return lines;
}

/** Training step time, cpu over wasm: how much the wasm backend (with enableWasmTraining) buys. */
function backendTable(rows: Row[]): string[] {
  const lines = ['| model | batch | variant | cpu ms | wasm ms | cpu/wasm |', '|---|---|---|---|---|---|'];
  for (const cpu of rows.filter((r) => r.bench === 'training' && r.backend === 'cpu')) {
    const wasm = rows.find((r) => r.bench === 'training' && r.backend === 'wasm' && r.model === cpu.model && r.batch === cpu.batch && r.variant === cpu.variant);
    lines.push(`| ${cpu.model} | ${cpu.batch} | ${cpu.variant} | ${fmt(cpu.medianMs)} | ${wasm ? fmt(wasm.medianMs) : '–'} | ${ratio(cpu, wasm)} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  await tf.ready();
  enableWasmTraining();
  const load = loadavg()[0].toFixed(2);
  const started = Date.now();
  const rows: Row[] = [];
  for (const c of cases()) rows.push(...(await runCase(c)));
  const seconds = ((Date.now() - started) / 1000).toFixed(0);

  const command = `node dist/tfjs.js${quick ? ' --quick' : ''}`;
  await tf.setBackend('wasm');
  const machine = `${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}, tfjs ${tf.version.tfjs}, wasm threads ${getThreadsCount()}, load average ${load} at start`;
  const params = [...new Set(rows.map((r) => `${r.model}${r.bench === 'training' ? ' (28×28×1)' : ''} ${r.variant}: ${r.params.toLocaleString('en')}`))];
  const md = [
    '# tfjs: LinearConv2D vs Conv2D',
    '',
    `\`${command}\` (benchmarks/), ${new Date().toISOString().slice(0, 10)}, ${seconds} s.`,
    `Machine: ${machine}.`,
    '',
    'Median wall-clock ms per call. Inference: `model.predict` at 32×32×3, result downloaded. Training: one `trainOnBatch` step',
    '(adam, categorical cross-entropy) at 28×28×1, 10 classes. Ratios are of medians.',
    '',
    '- Conv2D: `zooModel(name, { variant: "conv" })` (`same` padding where it equals PyTorch\'s, a ZeroPadding2D layer before the conv where it does not).',
    '- LinearConv2D: `zooModel(name, { variant: "full" })` (p = F/2, full coefficients, no regulariser).',
    '- folded: `foldModel` of that LinearConv2D model: plain convs with the padding inside the conv, like LinearConv2D;',
    '  LinearConv/folded isolates what LinearConv costs (cached kernel at inference, composition and its gradient in training).',
    '- The three variants of a row run in turn, one call each per round, so load changes hit them alike.',
    '',
    ...comparisonTable(rows),
    '',
    ...backendTable(rows),
    '',
    `Trainable parameters: ${params.join('; ')}.`,
    '',
  ].join('\n');

  console.log(`\n${md}`);
  await mkdir(resultsDir, { recursive: true });
  await writeFile(new URL('tfjs.json', resultsDir), `${JSON.stringify({ command, date: new Date().toISOString(), machine, rows }, null, 2)}\n`);
  await writeFile(new URL('tfjs.md', resultsDir), md);
}

await main();
