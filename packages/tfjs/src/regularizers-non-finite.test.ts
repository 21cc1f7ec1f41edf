import { correlationLoss, createRandom, orthogonalityLoss } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correlation, orthogonality } from './regularizers.js';

const [kh, kw, c, p] = [3, 3, 2, 4];

/** A seeded HWIO kernel, and the same filters OIHW-flattened as core reads them (float64). */
function kernel(scale = 1): { values: Float32Array; rows: Float64Array } {
  const random = createRandom(21);
  const values = Float32Array.from({ length: kh * kw * c * p }, () => random.normal() * scale);
  const d = kh * kw * c;
  const rows = new Float64Array(p * d);
  // HWIO index ((u·kw + v)·c + ch)·p + f  →  OIHW index f·d + (ch·kh + u)·kw + v
  for (let u = 0; u < kh; u++)
    for (let v = 0; v < kw; v++)
      for (let ch = 0; ch < c; ch++)
        for (let f = 0; f < p; f++) rows[f * d + (ch * kh + u) * kw + v] = values[((u * kw + v) * c + ch) * p + f];
  return { values, rows };
}

const penalties = [
  ['correlation', () => correlation({ weight: 1, every: 1 }), correlationLoss],
  ['orthogonality', () => orthogonality({ weight: 1, every: 1 }), orthogonalityLoss],
] as const;

describe.each(['cpu', 'wasm'])('tfjs regularisers on non-finite kernels (%s)', (backend) => {
  beforeAll(async () => {
    // The .wasm binaries ship inside @tensorflow/tfjs-backend-wasm: no network needed.
    expect(await tf.setBackend(backend)).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [name, make, core] of penalties) {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      it(`${name}: a ${bad} in the kernel gives a NaN penalty, not a healthy number`, () => {
        const { values } = kernel();
        values[7] = bad;
        const before = tf.memory().numTensors;
        const x = tf.tensor4d(values, [kh, kw, c, p]);
        const penalty = make().apply(x);
        expect(penalty.dataSync()[0]).toBeNaN();
        // core, the reference, agrees.
        expect(core(Float64Array.from(values), p).value).toBeNaN();
        tf.dispose([x, penalty]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it(`${name}: finite kernels of any float32 magnitude match core's value (no overflow or underflow)`, () => {
      for (const scale of [1, 1e25, 1e-25]) {
        const { values, rows } = kernel(scale);
        const x = tf.tensor4d(values, [kh, kw, c, p]);
        const penalty = make().apply(x);
        const expected = core(rows, p).value;
        expect(Number.isFinite(expected)).toBe(true);
        expect(Math.abs(penalty.dataSync()[0] - expected)).toBeLessThan(1e-4 * Math.max(1, expected));
        tf.dispose([x, penalty]);
      }
    });

    it(`${name}: the schedule's off steps stay 0 even for a NaN kernel (no penalty is computed there)`, () => {
      const regularizer = name === 'correlation' ? correlation({ every: 2 }) : orthogonality({ every: 2 });
      const x = tf.fill([kh, kw, c, p], Number.NaN);
      const on = regularizer.apply(x);
      const off = regularizer.apply(x);
      expect([Number.isNaN(on.dataSync()[0]), off.dataSync()[0]]).toEqual([true, 0]);
      tf.dispose([x, on, off]);
    });
  }
});
