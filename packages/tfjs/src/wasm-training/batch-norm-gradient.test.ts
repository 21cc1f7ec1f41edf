import { createRandom } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { enableWasmTraining } from '../wasm-training.js';

interface Case {
  name: string;
  shape: number[];
  /** Batch statistics (tfjs-layers' training path) or fixed ones (inference-style). */
  batchStats: boolean;
}

const cases: Case[] = [
  { name: 'NHWC, batch statistics (tfjs-layers training)', shape: [3, 5, 4, 6], batchStats: true },
  // No case without scale or offset: tfjs-core cannot differentiate a batchNorm missing either.
  { name: 'NHWC, fixed statistics', shape: [2, 4, 3, 5], batchStats: false },
  { name: '[N, C] (after a dense layer)', shape: [7, 3], batchStats: true },
  { name: 'batch of one', shape: [1, 4, 4, 2], batchStats: true },
];

const values = (seed: number, n: number, lo = -2, hi = 2) => {
  const r = createRandom(seed);
  return Float32Array.from({ length: n }, () => r.uniform(lo, hi));
};

/** Gradients of Σ batchNorm(x)·w with respect to x, scale and offset. */
function gradients(c: Case): Float32Array[] {
  const channels = c.shape.at(-1)!;
  const size = c.shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const x = tf.tensor(values(1, size), c.shape);
    const w = tf.tensor(values(2, size), c.shape);
    const scale = tf.tensor1d(values(3, channels, 0.5, 2));
    const offset = tf.tensor1d(values(4, channels));
    const fixedMean = tf.tensor1d(values(5, channels));
    const fixedVariance = tf.tensor1d(values(6, channels, 0.1, 3));
    const axes = c.shape.slice(0, -1).map((_, i) => i);
    const f = (xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const { mean, variance } = c.batchStats ? tf.moments(xx, axes) : { mean: fixedMean, variance: fixedVariance };
      return tf.sum(tf.mul(tf.batchNorm(xx, mean, variance, o, s, 1e-3), w));
    };
    return tf.grads(f)([x, scale, offset]).map((g) => g.dataSync() as Float32Array);
  });
}

function expectClose(got: Float32Array[], want: Float32Array[], tol: number) {
  expect(got.length).toBe(want.length);
  got.forEach((g, j) => {
    expect(g.length).toBe(want[j].length);
    for (let i = 0; i < g.length; i++) expect(Math.abs(g[i] - want[j][i])).toBeLessThanOrEqual(tol * (1 + Math.abs(want[j][i])));
  });
}

let cpuBefore: Float32Array[][];

beforeAll(async () => {
  await tf.setBackend('cpu');
  cpuBefore = cases.map(gradients);
  enableWasmTraining();
});

describe('the FusedBatchNorm gradient enableWasmTraining installs', () => {
  it('leaves other backends on tfjs-core’s own gradient, bit for bit', async () => {
    await tf.setBackend('cpu');
    cases.forEach((c, i) => {
      const after = gradients(c);
      for (const [j, g] of after.entries()) expect(Array.from(g)).toEqual(Array.from(cpuBefore[i][j]));
    });
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s: wasm matches tfjs-cpu', async (_, i) => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = gradients(cases[i]);
    expect(tf.memory().numTensors).toBe(before);
    expectClose(got, cpuBefore[i], 1e-4);
  });

  it('runs no Tile on wasm', async () => {
    await tf.setBackend('wasm');
    const profile = await tf.profile(() => {
      gradients(cases[0]);
    });
    expect(profile.kernelNames).toContain('FusedBatchNorm');
    expect(profile.kernelNames).not.toContain('Tile');
  });
});
