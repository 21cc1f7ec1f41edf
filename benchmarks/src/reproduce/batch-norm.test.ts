import { createRandom, uniformArray } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { combine, recomputeBatchNormStatistics } from './batch-norm.js';
import type { Images } from './data.js';

const EPSILON = 1e-3;

/** Plain float64 moments of `values`: [mean, population variance]. */
function moments(values: readonly number[]): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return [mean, values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length];
}

describe('recomputeBatchNormStatistics', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("writes each norm's input statistics over every image, the later norm's measured after the earlier norm in training mode", () => {
    // 300 images of 3×3: two passes (250 + 50), so the combination across passes counts.
    const size = 3;
    const count = 300;
    const random = createRandom(5);
    const images: Images = { pixels: uniformArray(random, count * size * size, 0, 1), labels: new Int32Array(count), count, size };
    const kernel = [0.5, -1.5];
    const [gamma, beta] = [1.7, -0.3];

    const input = tf.input({ shape: [size, size, 1] });
    const norm1 = tf.layers.batchNormalization({ name: 'bn1', epsilon: EPSILON, momentum: 0.9 });
    const conv = tf.layers.conv2d({ name: 'conv', filters: 2, kernelSize: 1, useBias: false });
    const norm2 = tf.layers.batchNormalization({ name: 'bn2', epsilon: EPSILON, momentum: 0.9 });
    const model = tf.model({ inputs: input, outputs: norm2.apply(conv.apply(norm1.apply(input))) as tf.SymbolicTensor });
    const set = (layer: tf.layers.Layer, values: number[][]) => layer.setWeights(values.map((v, i) => tf.tensor(v, layer.weights[i].shape as number[])));
    set(conv, [kernel]);
    // gamma, beta, moving mean, moving variance: the moving statistics as a long-gone past left them.
    set(norm1, [[gamma], [beta], [9], [9]]);
    set(norm2, [[1, 1], [0, 0], [9, 9], [9, 9]]);
    const pixelsBefore = Float32Array.from(images.pixels);

    const written = recomputeBatchNormStatistics(model, images);

    // bn1 sees the pixels: their moments over all 300 images.
    const pixels = Array.from(images.pixels);
    const [mean1, variance1] = moments(pixels);
    // bn2 sees the conv of bn1's output, bn1 normalising each pass with that pass's own moments.
    const normalised: number[] = [];
    for (const [start, end] of [[0, 250], [250, 300]]) {
      const part = pixels.slice(start * size * size, end * size * size);
      const [m, v] = moments(part);
      normalised.push(...part.map((x) => gamma * ((x - m) / Math.sqrt(v + EPSILON)) + beta));
    }
    const expected2 = kernel.map((k) => moments(normalised.map((x) => k * x)));

    const read = (layer: tf.layers.Layer, i: number) => Array.from(layer.getWeights()[i].dataSync());
    expect(read(norm1, 2)[0]).toBeCloseTo(mean1, 5);
    expect(read(norm1, 3)[0]).toBeCloseTo(variance1, 5);
    for (const [c, [mean, variance]] of expected2.entries()) {
      expect(read(norm2, 2)[c]).toBeCloseTo(mean, 4);
      expect(read(norm2, 3)[c] / variance).toBeCloseTo(1, 4);
    }
    expect([...written.keys()]).toEqual(['bn1', 'bn2']);
    expect(written.get('bn1')!.mean[0]).toBeCloseTo(mean1, 5);
    // gamma and beta stay, and the images are not touched.
    expect(read(norm1, 0)).toEqual([Math.fround(gamma)]);
    expect(images.pixels).toEqual(pixelsBefore);
    model.dispose();
  });

  it('measures only the first `limit` images', () => {
    const size = 2;
    const random = createRandom(9);
    const images: Images = { pixels: uniformArray(random, 40 * size * size, 0, 1), labels: new Int32Array(40), count: 40, size };
    // The last 30 images are much brighter: they must not count.
    for (let i = 10 * size * size; i < images.pixels.length; i++) images.pixels[i] += 5;
    const input = tf.input({ shape: [size, size, 1] });
    const model = tf.model({ inputs: input, outputs: tf.layers.batchNormalization({ name: 'bn' }).apply(input) as tf.SymbolicTensor });
    const written = recomputeBatchNormStatistics(model, images, 10);
    const [mean, variance] = moments(Array.from(images.pixels.subarray(0, 10 * size * size)));
    expect(written.get('bn')!.mean[0]).toBeCloseTo(mean, 5);
    expect(written.get('bn')!.variance[0]).toBeCloseTo(variance, 5);
    model.dispose();
  });

  it('leaves a model without batch norm alone', () => {
    const input = tf.input({ shape: [2, 2, 1] });
    const model = tf.model({ inputs: input, outputs: tf.layers.flatten().apply(input) as tf.SymbolicTensor });
    expect(recomputeBatchNormStatistics(model, { pixels: new Float32Array(4), labels: new Int32Array(1), count: 1, size: 2 }).size).toBe(0);
  });
});

describe('combine', () => {
  it("gives the moments of the union of the passes' values", () => {
    const passes = [
      [1, 2, 3, 4],
      [10, 12],
      [-5, 0, 5],
    ];
    const combined = combine(passes.map((p) => ({ count: p.length, mean: [moments(p)[0]], variance: [moments(p)[1]] })));
    const [mean, variance] = moments(passes.flat());
    expect(combined.mean[0]).toBeCloseTo(mean, 12);
    expect(combined.variance[0]).toBeCloseTo(variance, 12);
  });
});
