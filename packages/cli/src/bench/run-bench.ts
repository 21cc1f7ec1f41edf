import { loadavg } from 'node:os';
import type { Backend, BackendRegistry, PreparedLayer } from '@linearconv/conformance';
import { createRandom, initialWeights, type LinearConvWeights, linearConvForward, outputShape, type Tensor, uniformArray } from '@linearconv/core';
import { formatError, formatGflops, formatMs, formatRatio } from './format.js';
import { type BenchLayer, describeLayer } from './layers.js';
import { machine } from './machine.js';
import type { BenchOmission, BenchReport, BenchResult, BenchUnavailable, BenchVariant } from './result.js';
import { SLOW_BACKENDS, slowBackendSkip } from './slow-backends.js';
import { type TimingSettings, timeSideBySide } from './timing.js';

export interface BenchOptions {
  readonly layers: readonly BenchLayer[];
  readonly batches: readonly number[];
  /** Names in `registry`; an unknown one throws LinearConvError before anything runs. */
  readonly backends: readonly string[];
  readonly timing: TimingSettings;
  /** Seeds the weights and inputs. */
  readonly seed: number;
  /** Recorded in the report. */
  readonly quick: boolean;
  readonly command: string;
  /** One line per measurement (and per unavailable backend). */
  readonly progress?: (line: string) => void;
  /** Before each case: how many of `total` are done, and which one starts (e.g. for a progress bar). */
  readonly onCaseStart?: (done: number, total: number, what: string) => void;
}

/**
 * Runs every layer at every batch on every backend, LinearConv against a plain conv of the same
 * shape holding the composed filters, side by side, with a second copy of that plain conv as the
 * control: the ratio between two copies of one model is the noise of the measurement, and says how
 * far the LinearConv ratio can be read. Each measured output's first image is checked
 * against the float64 reference (computed once per layer, at batch 1: every batch's first image
 * is the batch-1 input). A backend that cannot start is reported unavailable; a case it skips
 * (too slow) or fails on is reported omitted; neither stops the run.
 */
export async function runBench(registry: BackendRegistry, options: BenchOptions): Promise<BenchReport> {
  const factories = options.backends.map((name) => registry.get(name));
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  const progress = options.progress ?? (() => {});
  const results: BenchResult[] = [];
  const omitted: BenchOmission[] = [];
  const unavailable: BenchUnavailable[] = [];
  const references = new Map<BenchLayer, Float64Array>();
  const total = factories.length * options.layers.length * options.batches.length;
  let done = 0;
  const counter = () => `[${String(++done).padStart(String(total).length)}/${total}]`;
  const starting = (what: string) => options.onCaseStart?.(done, total, what);

  for (const factory of factories) {
    let backend: Backend;
    try {
      backend = await factory.create();
      if (!backend.prepare) {
        await backend.dispose();
        throw new Error('it has no prepare(): layers cannot be set up for repeated runs');
      }
    } catch (e) {
      const reason = (e as Error)?.message ?? String(e);
      unavailable.push({ backend: factory.name, reason });
      done += options.layers.length * options.batches.length;
      progress(`${factory.name}: unavailable: ${reason}`);
      continue;
    }
    try {
      for (const [index, layer] of options.layers.entries()) {
        for (const batch of options.batches) {
          const what = `${backend.name} ${layer.name} batch ${batch}`;
          starting(what);
          const where = `${counter()} ${what}`;
          const skip = slowBackendSkip(backend.name, 2 * layer.macs * batch);
          if (skip) {
            omitted.push({ layer: layer.name, batch, backend: backend.name, reason: `skipped: ${skip}` });
            progress(`${where}: skipped: ${skip}`);
            continue;
          }
          const data = layerData(layer, index, batch, options.seed);
          if (!references.has(layer)) references.set(layer, referenceOutput(layer, data));
          try {
            const rows = await measure(backend, layer, data, references.get(layer)!, options.timing);
            results.push(...rows);
            const [conv, linear, control] = rows;
            progress(
              `${where}: conv ${formatMs(conv.medianMs)} ms, linearconv ${formatMs(linear.medianMs)} ms (${formatRatio(linear.ratioToConv)}, control ${formatRatio(control.ratioToConv)}), ` +
                `${formatGflops(linear.gflops)} GFLOP/s, max error ${formatError(Math.max(conv.maxAbsError, linear.maxAbsError))}, ${linear.runs} runs`,
            );
          } catch (e) {
            const reason = `failed: ${(e as Error)?.message ?? String(e)}`;
            omitted.push({ layer: layer.name, batch, backend: backend.name, reason });
            progress(`${where}: ${reason}`);
          }
        }
      }
    } finally {
      await backend.dispose();
    }
  }

  return {
    format: 'linearconv-bench@2',
    command: options.command,
    date: new Date(started).toISOString(),
    machine: machine(loadAtStart),
    settings: {
      quick: options.quick,
      backends: [...options.backends],
      batches: [...options.batches],
      seed: options.seed,
      ...options.timing,
      flopCaps: Object.fromEntries(Object.entries(SLOW_BACKENDS).map(([name, slow]) => [name, slow.maxFlop])),
    },
    layers: options.layers.map((l) => ({
      name: l.name,
      shape: describeLayer(l),
      sameShape: l.sameShape,
      inChannels: l.spec.inChannels,
      outChannels: l.spec.outChannels,
      kernelSize: [...l.spec.kernelSize],
      strides: [...l.spec.strides],
      groups: l.spec.groups,
      inputSize: [...l.inputSize],
      macs: l.macs,
    })),
    results,
    omitted,
    unavailable,
    totalSeconds: (Date.now() - started) / 1000,
  };
}

interface LayerData {
  readonly weights: LinearConvWeights<Float32Array>;
  readonly input: Tensor<Float32Array>;
}

/**
 * Seeded weights and an input of `batch` images; the first image is the same at every batch
 * (the first values drawn), so one float64 reference at batch 1 checks every batch.
 */
function layerData(layer: BenchLayer, index: number, batch: number, seed: number): LayerData {
  const random = createRandom(seed * 1000 + index);
  const weights = initialWeights(layer.spec, random);
  const shape = [batch, layer.spec.inChannels, layer.inputSize[0], layer.inputSize[1]];
  return { weights, input: { shape, data: uniformArray(random, shape.reduce((a, b) => a * b), -1, 1) } };
}

function referenceOutput(layer: BenchLayer, { weights, input }: LayerData): Float64Array {
  const [, c, h, w] = input.shape;
  const first = { shape: [1, c, h, w], data: input.data.subarray(0, c * h * w) };
  return linearConvForward(layer.spec, weights, first).data;
}

/** Both variants of one case and the control (the plain conv again), timed side by side: [conv, linearconv, control]. */
async function measure(
  backend: Backend,
  layer: BenchLayer,
  { weights, input }: LayerData,
  reference: Float64Array,
  timing: TimingSettings,
): Promise<[BenchResult, BenchResult, BenchResult]> {
  const prepared: PreparedLayer[] = [];
  try {
    for (const plain of [true, false, true]) prepared.push(await backend.prepare!(layer.spec, weights, input.shape, { plain }));
    const expected = outputShape(layer.spec, input.shape);
    // The first run of each is the accuracy check (and a warm-up).
    const errors: number[] = [];
    for (const p of prepared) {
      const output = await p.run(input);
      if (output.shape.join() !== expected.join()) throw new Error(`output shape [${output.shape.join(', ')}], expected [${expected.join(', ')}]`);
      errors.push(maxAbsError(output.data, reference));
    }
    const [conv, linear, control] = await timeSideBySide(
      prepared.map((p) => () => p.run(input)),
      { ...timing, warmup: Math.max(0, timing.warmup - 1) },
    );
    const batch = input.shape[0];
    const row = (variant: BenchVariant, t: typeof conv, error: number, ratio: number | null): BenchResult => ({
      layer: layer.name,
      batch,
      backend: backend.name,
      variant,
      medianMs: t.medianMs,
      gflops: (2 * layer.macs * batch) / (t.medianMs * 1e6),
      maxAbsError: error,
      ratioToConv: ratio,
      runs: t.runs,
    });
    return [
      row('conv', conv, errors[0], null),
      row('linearconv', linear, errors[1], linear.medianMs / conv.medianMs),
      row('control', control, errors[2], control.medianMs / conv.medianMs),
    ];
  } finally {
    for (const p of prepared) await p.dispose();
  }
}

/** Over the reference's length: the batch's first image. NaN counts as infinitely wrong. */
function maxAbsError(actual: ArrayLike<number>, reference: Float64Array): number {
  let max = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = Math.abs(actual[i] - reference[i]);
    if (!(e <= max)) max = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
  }
  return max;
}
