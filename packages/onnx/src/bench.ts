/**
 * Benchmarks the exports of the paper's models: file size (compact vs folded), session creation
 * and inference latency on onnxruntime-web (wasm, in Node) and onnxruntime-node, with the Conv
 * model as the baseline. `node dist/bench.js [--quick]`; writes bench-results.md and .json next to
 * package.json. Speed is measured here only, never asserted in tests.
 */
import '@tensorflow/tfjs-backend-cpu';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeSideBySide } from '@linearconv/conformance/bench';
import { type ZooVariant, zooModels } from '@linearconv/core';
import { zooModel } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type * as OrtWeb from 'onnxruntime-web';
import { exportModel } from './export-model.js';
import { inspectModel } from './inspect-model.js';
import type { OnnxRuntime } from './onnx-runtime.js';
import { loadOnnxRuntime, type OnnxRuntimeName } from './onnx-runtime-node.js';

const quick = process.argv.includes('--quick');
const models = quick ? ['base', 'vgg11'] : [...zooModels];
const settings = { creations: quick ? 2 : 3, warmup: quick ? 2 : 5, rounds: quick ? 5 : 30 };
const variants: ZooVariant[] = ['conv', 'full', 'lowRank'];
const modes = ['compact', 'folded'] as const;

/** The files of one model measured together: the Conv baseline and each LinearConv variant in each mode. */
const files = ['conv', 'full-compact', 'full-folded', 'lowRank-compact', 'lowRank-folded'] as const;
type FileName = (typeof files)[number];

interface Timing {
  /** Median of `creations` InferenceSession.create calls (the compact graph's constant folding included). */
  readonly createMs: number;
  /** Median and minimum over `rounds` runs, batch 1, after `warmup` runs. */
  readonly latencyMs: number;
  readonly minLatencyMs: number;
}

interface ModelResult {
  readonly model: string;
  readonly bytes: Record<FileName, number>;
  readonly params: Record<FileName, number>;
  readonly timings: Record<OnnxRuntimeName, Record<FileName, Timing>>;
}

/**
 * Times every file on one runtime with the harness's timer (@linearconv/conformance/bench): the
 * files take turns, creation by creation and run by run, so a change in the machine's load (it is
 * shared) affects each file alike. What is measured is this package's own: whole exported models,
 * session creation included, which `linearconv bench` (one layer at a time) does not time.
 */
async function timeAll(runtime: OnnxRuntime, models: Record<FileName, Uint8Array>, options: OrtWeb.InferenceSession.SessionOptions): Promise<Record<FileName, Timing>> {
  const feeds = { input: new runtime.Tensor('float32', new Float32Array(32 * 32 * 3).map((_, i) => Math.sin(i)), [1, 32, 32, 3]) };
  const created = Object.fromEntries(files.map((f) => [f, [] as OrtWeb.InferenceSession[]])) as Record<FileName, OrtWeb.InferenceSession[]>;
  const creations = await timeSideBySide(
    files.map((f) => async () => void created[f].push(await runtime.InferenceSession.create(models[f], options))),
    { warmup: 0, minRuns: settings.creations, maxRuns: settings.creations, budgetMs: 0 },
  );
  // The last session of each file runs; the others only measured their creation.
  const sessions = Object.fromEntries(files.map((f) => [f, created[f].at(-1)!])) as Record<FileName, OrtWeb.InferenceSession>;
  for (const f of files) for (const s of created[f].slice(0, -1)) await s.release();
  const runs = await timeSideBySide(
    files.map((f) => () => sessions[f].run(feeds)),
    { warmup: settings.warmup, minRuns: settings.rounds, maxRuns: settings.rounds, budgetMs: 0 },
  );
  for (const f of files) await sessions[f].release();
  return Object.fromEntries(
    files.map((f, i) => [f, { createMs: creations[i].medianMs, latencyMs: runs[i].medianMs, minLatencyMs: runs[i].minMs }]),
  ) as Record<FileName, Timing>;
}

function exports(model: string): Record<FileName, Uint8Array> {
  const out = {} as Record<FileName, Uint8Array>;
  for (const variant of variants) {
    const tfModel = zooModel(model, { variant });
    if (variant === 'conv') out.conv = exportModel(tfModel, { mode: 'folded' });
    else for (const mode of modes) out[`${variant}-${mode}` as FileName] = exportModel(tfModel, { mode });
    tfModel.dispose();
  }
  return out;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const web = await loadOnnxRuntime('web');
  // One thread each: browsers without cross-origin isolation get one wasm thread, and on this
  // shared 2-core machine two threads make medians depend on whatever else runs.
  (web as typeof OrtWeb).env.wasm.numThreads = 1;
  const runtimes: Record<OnnxRuntimeName, OnnxRuntime> = { web, node: await loadOnnxRuntime('node') };
  const options: Record<OnnxRuntimeName, OrtWeb.InferenceSession.SessionOptions> = { web: {}, node: { intraOpNumThreads: 1, interOpNumThreads: 1 } };
  const loadBefore = loadavg()[0];
  const results: ModelResult[] = [];
  // One untimed pass first: wasm compiles its optimised tier on first use, and it shows.
  const warm = exports('base');
  for (const name of ['web', 'node'] as const) await timeAll(runtimes[name], warm, options[name]);
  for (const model of models) {
    const bytes = exports(model);
    const timings = {} as ModelResult['timings'];
    for (const name of ['web', 'node'] as const) timings[name] = await timeAll(runtimes[name], bytes, options[name]);
    const result: ModelResult = {
      model,
      bytes: Object.fromEntries(files.map((f) => [f, bytes[f].byteLength])) as Record<FileName, number>,
      params: Object.fromEntries(files.map((f) => [f, inspectModel(bytes[f]).params])) as Record<FileName, number>,
      timings,
    };
    results.push(result);
    console.log(`${model}: ${JSON.stringify(result.bytes)}`);
  }
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    onnxruntime: '1.30.0',
    threads: { web: 1, node: 1 },
    loadAverage: { before: loadBefore, after: loadavg()[0] },
  };
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  writeFileSync(join(root, 'bench-results.json'), `${JSON.stringify({ date: new Date().toISOString(), quick, settings, machine, results }, null, 2)}\n`);
  writeFileSync(join(root, 'bench-results.md'), markdown(results, machine));
  console.log(`wrote ${join(root, 'bench-results.md')} and .json`);
}

function markdown(results: ModelResult[], machine: { cpu: string; cores: number; node: string; loadAverage: { before: number; after: number } }): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)}`;
  const ms = (t: Timing) => `${t.createMs.toFixed(0)} / ${t.latencyMs.toFixed(1)} (${t.minLatencyMs.toFixed(1)})`;
  const lines = [
    '# @linearconv/onnx benchmark',
    '',
    `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, onnxruntime-web and onnxruntime-node 1.30.0; batch 1, 32×32×3 input.`,
    `The machine is shared: load average ${machine.loadAverage.before.toFixed(1)} before, ${machine.loadAverage.after.toFixed(1)} after.`,
    `Session creation: median of ${settings.creations}. Latency: median (minimum) of ${settings.rounds} runs after ${settings.warmup} warm-up runs,`,
    'the five files of a model taking turns run by run, in a shuffled order each round (the harness timer of @linearconv/conformance/bench).',
    '',
    '## File size (KB)',
    '',
    '| model | Conv | -Lr compact | -Lr folded | -Lr compact / Conv | -LRr compact | -LRr folded | -LRr compact / Conv |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const cells = (['full', 'lowRank'] as const).flatMap((v) => [
        kb(r.bytes[`${v}-compact`]),
        kb(r.bytes[`${v}-folded`]),
        (r.bytes[`${v}-compact`] / r.bytes.conv).toFixed(2),
      ]);
      return `| ${r.model} | ${kb(r.bytes.conv)} | ${cells.join(' | ')} |`;
    }),
  ];
  for (const runtime of ['web', 'node'] as const) {
    lines.push(
      '',
      runtime === 'web'
        ? '## onnxruntime-web (wasm, 1 thread) in Node: session creation ms / latency ms, median (min)'
        : '## onnxruntime-node (CPU, 1 thread): session creation ms / latency ms, median (min)',
      '',
      '| model | Conv | -Lr compact | -Lr folded | -LRr compact | -LRr folded |',
      '|---|---|---|---|---|---|',
      ...results.map((r) => `| ${r.model} | ${files.map((f) => ms(r.timings[runtime][f])).join(' | ')} |`),
    );
  }
  return `${lines.join('\n')}\n`;
}

await main();
