import type { Backend } from '../backend.js';
import type { BackendRegistry } from '../registry.js';
import { type DeviceInfo, unknownDevice } from './device.js';
import { formatError, formatGflops, formatMs, formatRatio } from './format.js';
import { layerData, referenceOutput } from './layer-data.js';
import { type BenchLayer, describeLayer } from './layers.js';
import { measure } from './measure.js';
import { BENCH_FORMAT, type BenchOmission, type BenchReport, type BenchResult, type BenchUnavailable } from './result.js';
import { SLOW_BACKENDS, slowBackendSkip } from './slow-backends.js';
import type { TimingSettings } from './timing.js';
import { requireBenchOptions } from './validate-options.js';

export interface BenchOptions {
  readonly layers: readonly BenchLayer[];
  readonly batches: readonly number[];
  /** Names in `registry`; an unknown one throws LinearConvError before anything runs. */
  readonly backends: readonly string[];
  readonly timing: TimingSettings;
  /** Seeds the weights and inputs. Default 1. */
  readonly seed?: number;
  /** Recorded in the report (a quick preset's run). */
  readonly quick: boolean;
  /** Recorded in the report: the command line, or what ran it. */
  readonly command: string;
  /** Recorded as is; by default the user agent where there is one. */
  readonly device?: DeviceInfo;
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
 * (too slow) or fails on is reported omitted; neither stops the run. Bad options are a
 * LinearConvError naming the field, before any backend starts. Nothing here needs Node:
 * the lab runs the same function in the browser.
 */
export async function runBench(registry: BackendRegistry, options: BenchOptions): Promise<BenchReport> {
  requireBenchOptions(options);
  const factories = options.backends.map((name) => registry.get(name));
  const seed = options.seed ?? 1;
  const device = options.device ?? unknownDevice();
  const started = Date.now();
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
          const data = layerData(layer, index, batch, seed);
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
    format: BENCH_FORMAT,
    command: options.command,
    date: new Date(started).toISOString(),
    device,
    settings: {
      quick: options.quick,
      backends: [...options.backends],
      batches: [...options.batches],
      seed,
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
