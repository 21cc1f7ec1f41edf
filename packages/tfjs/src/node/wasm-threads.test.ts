import { createRandom, LinearConvError } from '@linearconv/core';
import { rejectionOf } from '@linearconv/test-support';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableWasmTraining } from '../wasm-training.js';
import { zooModel } from '../zoo.js';
import { useWasmThreads } from './wasm-threads.js';

const random = createRandom(5);
const images = Float32Array.from({ length: 4 * 16 * 16 }, () => random.uniform(0, 1));
let initial: { shape: number[]; values: Float32Array }[];

/** One Adam step of the zoo's LinearConv Base from fixed weights; the weights after it. */
async function trainedWeights(): Promise<Float32Array[]> {
  const model = zooModel('base', { variant: 'full', inputShape: [16, 16, 1], classes: 3 });
  const optimizer = tf.train.adam(0.01);
  try {
    model.setWeights(initial.map((w) => tf.tensor(w.values, w.shape)));
    const x = tf.tensor(images, [4, 16, 16, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
    for (let i = 0; i < 2; i++) {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    }
    tf.dispose([x, y]);
    return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = zooModel('base', { variant: 'full', inputShape: [16, 16, 1], classes: 3 });
  initial = model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array }));
  model.dispose();
  enableWasmTraining();
});

afterAll(async () => {
  // Stops the worker threads.
  await tf.setBackend('cpu');
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
});

describe('useWasmThreads', () => {
  it.each([0, 9, 1.5, Number.NaN, '2', null])('rejects the count %s by name', async (count) => {
    const e = await rejectionOf(() => useWasmThreads(count as number), LinearConvError);
    expect(e.field).toBe('count');
    expect(e.rule).toMatch(/integer from 1 to 8/);
  });

  it('trains with bit-identical weights on 1 and 2 threads', async () => {
    expect(await useWasmThreads(1)).toBe(1);
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(getThreadsCount()).toBe(1);
    const one = await trainedWeights();

    // Once started, the count is fixed: a different one is refused by name.
    const e = await rejectionOf(() => useWasmThreads(2), LinearConvError);
    expect(e.field).toBe('useWasmThreads');
    expect(e.rule).toMatch(/before the wasm backend starts/);
    expect(await useWasmThreads(1)).toBe(1);

    await tf.setBackend('cpu');
    tf.removeBackend('wasm');
    expect(await useWasmThreads(2)).toBe(2);
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(getThreadsCount()).toBe(2);
    const two = await trainedWeights();

    expect(two.length).toBe(one.length);
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const [i, w] of two.entries()) expect(bytes(w).equals(bytes(one[i]))).toBe(true);
    // And training moved them.
    expect(Array.from(one[0])).not.toEqual(Array.from(initial[0].values));
  });
});
