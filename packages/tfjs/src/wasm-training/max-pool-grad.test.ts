import { createRandom } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { enableWasmTraining } from '../wasm-training.js';
import { replaced } from './program.js';

interface Case {
  shape: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: 'valid' | 'same';
}

/** Values on a coarse grid after a ReLU, so windows tie often (all-zero windows above all). */
function input(seed: number, shape: number[]): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.max(0, Math.round(r.uniform(-3, 3))));
}

function gradient(c: Case, x: Float32Array, dyValues?: Float32Array): { dx: Float32Array; dy: Float32Array } {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.shape);
    const y = tf.maxPool(xt, c.filterSize, c.strides, c.pad);
    const dy = dyValues ? tf.tensor(dyValues, y.shape) : tf.randomUniform(y.shape, 1, 2, 'float32', 7);
    const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: xt, output: y }, { filterSize: c.filterSize, strides: c.strides, pad: c.pad }) as tf.Tensor;
    return { dx: dx.dataSync() as Float32Array, dy: dy.dataSync() as Float32Array };
  });
}

async function on<T>(backend: string, f: () => T): Promise<T> {
  await tf.setBackend(backend);
  return f();
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  enableWasmTraining();
});

describe('wasm MaxPoolGrad', () => {
  it('replaces the wasm kernel', () => {
    expect(replaced.get('MaxPoolGrad')).toBeDefined();
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).not.toBe(replaced.get('MaxPoolGrad'));
  });

  // Disjoint windows: the fast path. Odd sizes leave rows and columns outside every window.
  const disjoint: Case[] = [
    { shape: [3, 8, 8, 5], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    { shape: [2, 9, 7, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    { shape: [2, 9, 10, 4], filterSize: [3, 3], strides: [3, 3], pad: 'valid' },
    { shape: [1, 6, 9, 2], filterSize: [2, 3], strides: [2, 3], pad: 'valid' },
    { shape: [2, 8, 6, 16], filterSize: [2, 2], strides: [2, 2], pad: 'same' },
    { shape: [2, 5, 5, 1], filterSize: [1, 1], strides: [1, 1], pad: 'valid' },
  ];
  it.each(disjoint.map((c, i) => [i, c] as const))('disjoint case %i: dy to the first max of each window, exactly as tfjs-cpu', async (i, c) => {
    const x = input(i, c.shape);
    const want = await on('cpu', () => gradient(c, x));
    const got = await on('wasm', () => {
      const before = tf.memory().numTensors;
      const g = gradient(c, x, want.dy);
      expect(tf.memory().numTensors).toBe(before);
      return g;
    });
    expect(Array.from(got.dx)).toEqual(Array.from(want.dx));
    // The ties are there: without first-max, the all-zero windows would take dy more than once.
    expect(x.filter((v) => v === 0).length).toBeGreaterThan(x.length / 3);
  });

  // Overlapping or padded windows: wasm's own kernel, unchanged.
  const others: Case[] = [
    { shape: [2, 9, 9, 3], filterSize: [3, 3], strides: [2, 2], pad: 'valid' },
    { shape: [2, 7, 7, 3], filterSize: [2, 2], strides: [2, 2], pad: 'same' },
    { shape: [1, 6, 6, 2], filterSize: [2, 2], strides: [1, 1], pad: 'valid' },
  ];
  it.each(others.map((c, i) => [i, c] as const))('overlapping or padded case %i goes to wasm’s kernel', async (i, c) => {
    await tf.setBackend('wasm');
    const x = input(100 + i, c.shape);
    const got = gradient(c, x);
    const original = tf.tidy(() => {
      const xt = tf.tensor4d(x, c.shape);
      const y = tf.maxPool(xt, c.filterSize, c.strides, c.pad);
      const out = replaced.get('MaxPoolGrad')!({
        inputs: { dy: tf.tensor(got.dy, y.shape), input: xt, output: y },
        attrs: { filterSize: c.filterSize, strides: c.strides, pad: c.pad },
        backend: tf.backend(),
      }) as tf.TensorInfo;
      return tf.engine().makeTensorFromTensorInfo(out).dataSync();
    });
    expect(Array.from(got.dx)).toEqual(Array.from(original));
  });

  it('gives dy to the right place when a max is −∞ or +∞ (a masked max pool)', async () => {
    const c: Case = { shape: [1, 4, 4, 1], filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
    // Window 1 all −∞, window 2 holds a +∞ at its third position.
    const x = Float32Array.from([-Infinity, -Infinity, 1, 2, -Infinity, -Infinity, Infinity, 0, 3, 4, 5, 6, 7, 8, 9, 10]);
    const dy = Float32Array.from([1, 2, 3, 4]);
    const got = await on('wasm', () => gradient(c, x, dy).dx);
    expect(Array.from(got).every(Number.isFinite)).toBe(true);
    expect(got[6]).toBe(2);
    expect(got[0] + got[1] + got[4] + got[5]).toBe(1);
    // Each window's dy once (tfjs-cpu drops the all −∞ window's; PyTorch, like this, gives it to the first).
    expect(Array.from(got).reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('trains: the gradient of a pooled loss matches tfjs-cpu', async () => {
    const x = Float32Array.from(input(9, [4, 8, 8, 6]), (v, i) => v + (i % 7) * 0.25);
    const f = (t: tf.Tensor) => tf.sum(tf.square(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')));
    const grad = () => tf.tidy(() => tf.grad(f)(tf.tensor4d(x, [4, 8, 8, 6])).dataSync());
    const want = await on('cpu', grad);
    const got = await on('wasm', grad);
    expect(Array.from(got)).toEqual(Array.from(want));
  });
});
