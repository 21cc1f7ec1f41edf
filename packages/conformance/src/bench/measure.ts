import { outputShape } from '@linearconv/core';
import type { Backend, PreparedLayer } from '../backend.js';
import type { LayerData } from './layer-data.js';
import type { BenchLayer } from './layers.js';
import { maxAbsError } from './max-error.js';
import type { BenchResult, BenchVariant } from './result.js';
import { type Timing, type TimingSettings, timeSideBySide } from './timing.js';

/**
 * One case: LinearConv, the same-shape plain conv holding the composed filters, and a second
 * copy of that plain conv (the control), each prepared once, checked against the float64
 * reference, then timed side by side. Returns [conv, linearconv, control].
 */
export async function measure(
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
    const adapter = backend.adapter;
    const row = (variant: BenchVariant, t: Timing, error: number, ratio: number | null): BenchResult => ({
      layer: layer.name,
      batch,
      backend: backend.name,
      variant,
      medianMs: t.medianMs,
      gflops: (2 * layer.macs * batch) / (t.medianMs * 1e6),
      maxAbsError: error,
      ratioToConv: ratio,
      runs: t.runs,
      ...(typeof adapter === 'string' && { adapter }),
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
