import { createRandom } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { enableWasmTraining } from '../wasm-training.js';

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
  seed: number;
}

/** Random (batched, broadcast) products with every transpose combination. */
function cases(count: number): Case[] {
  const r = createRandom(21);
  const int = (lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));
  return Array.from({ length: count }, (_, i) => {
    const [m, k, n] = [int(1, 9), int(1, 9), int(1, 9)];
    const transposeA = (i & 1) === 1;
    const transposeB = (i & 2) === 2;
    const batch = i % 3 === 0 ? [] : [int(1, 3)];
    const bBatch = batch.length && i % 5 === 0 ? [1] : batch; // broadcast b over a's batch
    return {
      a: [...batch, ...(transposeA ? [k, m] : [m, k])],
      b: [...bBatch, ...(transposeB ? [n, k] : [k, n])],
      transposeA,
      transposeB,
      seed: i,
    };
  });
}

function product(c: Case): { shape: number[]; values: Float32Array } {
  const r = createRandom(c.seed);
  const t = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => r.uniform(-1, 1)), shape);
  return tf.tidy(() => {
    const out = tf.matMul(t(c.a), t(c.b), c.transposeA, c.transposeB);
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  enableWasmTraining();
});

describe('wasm BatchMatMul with transposed operands', () => {
  it.each(cases(24).map((c) => [`${c.a} × ${c.b}, transposeA ${c.transposeA}, transposeB ${c.transposeB}`, c] as const))('%s matches tfjs-cpu', async (_, c) => {
    await tf.setBackend('cpu');
    const want = product(c);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = product(c);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.shape).toEqual(want.shape);
    for (let i = 0; i < want.values.length; i++) expect(Math.abs(got.values[i] - want.values[i])).toBeLessThan(1e-5);
  });
});
