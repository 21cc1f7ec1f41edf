import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conv2d, createRandom, LinearConvError } from '@linearconv/core';
import { errorOf } from '@linearconv/test-support';
import { readTorchFile } from '@linearconv/torch/node';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, patternInput } from '../../../torch/fixtures/pattern.js';
import { linearConv2d } from '../linear-conv2d.js';
import { depthwiseToHwcm, linearToDense, oihwToHwio } from './layouts.js';
import { loadTorchWeights } from './load-torch-weights.js';
import type { TorchStateDictLike } from './state-dict.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const random = (n: number, seed: number) => {
  const rng = createRandom(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
};

/** scripts/torch/make_fixtures.py's TinyNet, written in tfjs by hand, as a user would. */
function tinyNet(epsilon = 1e-5) {
  return tf.sequential({
    layers: [
      linearConv2d({ name: 'c1', inputShape: [4, 4, 2], filters: 6, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization({ name: 'b1', epsilon }),
      tf.layers.reLU(),
      linearConv2d({ name: 'c2', filters: 8, kernelSize: 3, padding: 'same', useBias: false, coefficients: { kind: 'lowRank', rank: 2 } }),
      tf.layers.batchNormalization({ name: 'b2', epsilon }),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ name: 'fc', units: 3 }),
    ],
  });
}
const tinyMap = { c1: 'conv1', b1: 'bn1', c2: 'conv2', b2: 'bn2', fc: 'fc' };

describe("loadTorchWeights: a user's own PyTorch model through a key map", () => {
  let sd: TorchStateDictLike;
  beforeAll(async () => {
    // Saved as the authors' training scripts save: { epoch, model_state_dict, opt }.
    sd = await readTorchFile(join(fixturesDir, 'tiny-wrapped.pt'));
  });

  it('gives PyTorch’s logits within 1e-5 (xCNN with mask, xCNNlow, BatchNorm, Linear after a 2×2 flatten)', () => {
    const meta = JSON.parse(readFileSync(join(fixturesDir, 'tiny-wrapped.json'), 'utf8'));
    const model = tinyNet();
    loadTorchWeights(model, sd, tinyMap);
    const y = tf.tidy(() => (model.predict(tf.transpose(tf.tensor(patternInput(meta.input.shape), meta.input.shape), [0, 2, 3, 1])) as tf.Tensor).arraySync() as number[][]);
    const diff = Math.max(...y.flatMap((row, i) => row.map((v, j) => Math.abs(v - meta.logits[i][j]))));
    expect(diff).toBeLessThan(1e-5);
    model.dispose();
  });

  it('takes other parameter names per module', () => {
    const renamed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(sd)) renamed[key.replace('conv1.conv_weights', 'conv1.P').replace('conv1.linear_weights', 'conv1.A')] = value;
    const model = tinyNet();
    const reference = tinyNet();
    loadTorchWeights(model, renamed as TorchStateDictLike, { ...tinyMap, c1: { prefix: 'conv1', names: { primary: 'P', coefficients: 'A' } } });
    loadTorchWeights(reference, sd, tinyMap);
    expect(model.getLayer('c1').getWeights().map((w) => Array.from(w.dataSync()))).toEqual(reference.getLayer('c1').getWeights().map((w) => Array.from(w.dataSync())));
    model.dispose();
    reference.dispose();
  });

  it('refuses, naming what is wrong, and writes nothing then', () => {
    const model = tinyNet(1e-3);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(errorOf(() => loadTorchWeights(model, sd, tinyMap), LinearConvError).message).toMatch(/^b1: has epsilon 0\.001 but the PyTorch model's eps is 0\.00001 \(batchNormEpsilon\)/);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    const { fc: _, ...partial } = tinyMap;
    expect(errorOf(() => loadTorchWeights(tinyNet(), sd, partial), LinearConvError).message).toBe('keyMap: leaves layers with weights unfilled: fc');
    expect(errorOf(() => loadTorchWeights(tinyNet(), sd, { ...tinyMap, conv9: 'x' }), LinearConvError).field).toBe('keyMap.conv9');
    expect(errorOf(() => loadTorchWeights(tinyNet(), sd, { ...tinyMap, fc: 'conv1' }), LinearConvError).message).toBe('conv1.weight: is missing from the state dict (fc needs it, shape [3,32])');
    model.dispose();
  });
});

describe('layout conversions, checked against independent computations', () => {
  it('oihwToHwio is the transpose [2, 3, 1, 0]', () => {
    const shape = [5, 3, 2, 4];
    const data = random(120, 1);
    const expected = tf.tidy(() => tf.transpose(tf.tensor(data, shape), [2, 3, 1, 0]).dataSync());
    expect(Array.from(oihwToHwio(data, shape))).toEqual(Array.from(expected));
  });

  it("linearToDense: tfjs's NHWC flatten times the kernel equals PyTorch's NCHW flatten times the weight", () => {
    const [c, h, w, out] = [3, 2, 4, 5];
    const x = random(c * h * w, 2);
    const weight = random(out * c * h * w, 3);
    // PyTorch: y = W · view(x) with x in NCHW order, in float64.
    const expected = Array.from({ length: out }, (_, o) => x.reduce((sum, v, i) => sum + weight[o * c * h * w + i] * v, 0));
    const y = tf.tidy(() => {
      const nhwc = tf.reshape(tf.transpose(tf.tensor(x, [1, c, h, w]), [0, 2, 3, 1]), [1, c * h * w]);
      return tf.matMul(nhwc, tf.tensor(linearToDense(weight, [out, c * h * w], [h, w, c]), [c * h * w, out])).dataSync();
    });
    expect(Math.max(...Array.from(y, (v, o) => Math.abs(v - expected[o])))).toBeLessThan(1e-5);
    // A plain transpose would not do it.
    const plain = tf.tidy(() => tf.matMul(tf.reshape(tf.transpose(tf.tensor(x, [1, c, h, w]), [0, 2, 3, 1]), [1, c * h * w]), tf.tensor(weight, [out, c * h * w]), false, true).dataSync());
    expect(Math.max(...Array.from(plain, (v, o) => Math.abs(v - expected[o])))).toBeGreaterThan(1e-2);
  });

  it("depthwiseToHwcm: tfjs's depthwise conv equals core's float64 grouped reference conv (multiplier 2)", () => {
    const [n, c, h, w, m] = [1, 3, 5, 5, 2];
    const x = random(n * c * h * w, 4);
    const weight = random(c * m * 9, 5);
    const expected = conv2d({ shape: [n, c, h, w], data: x }, { shape: [c * m, 1, 3, 3], data: weight }, undefined, {
      strides: [1, 1],
      padding: [1, 1, 1, 1],
      dilation: [1, 1],
      groups: c,
    });
    const y = tf.tidy(() => {
      const nhwc = tf.transpose(tf.tensor(x, [n, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
      const kernel = tf.tensor(depthwiseToHwcm(weight, [c * m, 1, 3, 3], c), [3, 3, c, m]) as tf.Tensor4D;
      return tf.transpose(tf.depthwiseConv2d(nhwc, kernel, 1, 'same'), [0, 3, 1, 2]).dataSync();
    });
    expect(y.length).toBe(expected.data.length);
    expect(Math.max(...Array.from(y, (v, i) => Math.abs(v - expected.data[i])))).toBeLessThan(1e-5);
  });
});
