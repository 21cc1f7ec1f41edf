import { createRandom, type Random } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { enableWasmTraining } from '../wasm-training.js';
import { replaced } from './program.js';

const data = (r: Random, n: number) => Float32Array.from({ length: n }, () => r.uniform(-2, 2));
const reduce = { sum: tf.sum, mean: tf.mean };
const randInt = (r: Random, lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));

interface Case {
  shape: number[];
  axis: number[];
  keepDims: boolean;
  values: Float32Array;
}

/** Random shapes and axes, mostly leading (what the fast path takes), some not. */
function cases(seed: number, count: number): Case[] {
  const r = createRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const shape = Array.from({ length: randInt(r, 1, 5) }, () => randInt(r, 1, 7));
    const all = shape.map((_, j) => j);
    const axis = i % 4 === 3 ? all.filter(() => r.next() < 0.5) : all.slice(0, randInt(r, 1, shape.length));
    return { shape, axis, keepDims: r.next() < 0.5, values: data(r, shape.reduce((a, b) => a * b, 1)) };
  });
}

function run(kind: 'sum' | 'mean', c: Case): { shape: number[]; values: Float32Array } {
  return tf.tidy(() => {
    const out = reduce[kind](tf.tensor(c.values, c.shape), c.axis, c.keepDims);
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

function expectClose(got: Float32Array, want: Float32Array, tol: number) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i])));
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  enableWasmTraining();
});

describe.each(['sum', 'mean'] as const)('wasm %s over leading axes', (kind) => {
  it('replaces the wasm kernel and keeps it for the cases it does not take', () => {
    const name = kind === 'sum' ? 'Sum' : 'Mean';
    expect(replaced.get(name)).toBeDefined();
    expect(tf.getKernel(name, 'wasm')?.kernelFunc).not.toBe(replaced.get(name));
  });

  it.each(cases(kind === 'sum' ? 11 : 12, 40).map((c, i) => [i, c] as const))('random case %i matches tfjs-cpu', async (_, c) => {
    await tf.setBackend('cpu');
    const want = run(kind, c);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = run(kind, c);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.shape).toEqual(want.shape);
    expectClose(got.values, want.values, 1e-5);
  });

  it('an activation-sized N,H,W reduction matches tfjs-cpu', async () => {
    const c: Case = { shape: [8, 16, 16, 24], axis: [0, 1, 2], keepDims: false, values: data(createRandom(3), 8 * 16 * 16 * 24) };
    await tf.setBackend('cpu');
    const want = run(kind, c);
    await tf.setBackend('wasm');
    expectClose(run(kind, c).values, want.values, 1e-5);
  });

  it('leaves int32 tensors to the wasm kernel', async () => {
    const reduceInt = () => tf.tidy(() => {
      const out = reduce[kind](tf.tensor2d([[1, 2], [3, 6]], [2, 2], 'int32'), 0);
      return { dtype: out.dtype, values: Array.from(out.dataSync()) };
    });
    const fast = reduceInt();
    const original = replaced.get(kind === 'sum' ? 'Sum' : 'Mean')!;
    const x = tf.tensor2d([[1, 2], [3, 6]], [2, 2], 'int32');
    const info = original({ inputs: { x }, attrs: { axis: [0], keepDims: false }, backend: tf.backend() }) as tf.TensorInfo;
    const slow = tf.engine().makeTensorFromTensorInfo(info);
    expect(fast).toEqual({ dtype: slow.dtype, values: Array.from(slow.dataSync()) });
    tf.dispose([x, slow]);
  });
});
