import { type LayerSpec, linearConvForward } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldModel } from './fold.js';
import { type LinearConv2D, type LinearConv2DArgs, linearConv2d } from './linear-conv2d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** core's float64 reference of the layer on an NHWC input, returned NHWC. */
function reference(layer: LinearConv2D, input: tf.Tensor4D): Float64Array {
  const spec = layer.spec as LayerSpec;
  const [primary, ...rest] = layer.getWeights();
  const names = layer.weights.map((w) => w.originalName.split('/').pop()!);
  const weights: Record<string, Float32Array> = {
    // [kh, kw, C/g, p] → OIHW
    primary: tf.tidy(() => tf.transpose(primary, [3, 2, 0, 1]).dataSync() as Float32Array),
  };
  rest.forEach((w, i) => {
    weights[names[i + 1]] = w.dataSync() as Float32Array;
  });
  const [n, h, w, c] = input.shape;
  const nchw = tf.tidy(() => tf.transpose(input, [0, 3, 1, 2]).dataSync() as Float32Array);
  const y = linearConvForward(spec, weights as never, { shape: [n, c, h, w], data: nchw });
  const [, f, oh, ow] = y.shape;
  const out = new Float64Array(y.data.length);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < f; o++)
      for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) out[((b * oh + i) * ow + j) * f + o] = y.data[((b * f + o) * oh + i) * ow + j];
  return out;
}

const cases: [string, LinearConv2DArgs, [number, number, number], string][] = [
  ['strides 2, dilation 2, same', { filters: 6, kernelSize: 3, strides: 2, dilationRate: 2, padding: 'same' }, [11, 10, 3], 'Conv2D'],
  ['strides [2, 1], dilation [1, 3], valid, 3×2 kernel', { filters: 4, kernelSize: [3, 2], strides: [2, 1], dilationRate: [1, 3], padding: 'valid', useBias: false }, [9, 9, 2], 'Conv2D'],
  ['depthwise, strides 2, dilation 2, same', { filters: 6, kernelSize: 3, strides: 2, dilationRate: 2, padding: 'same', groups: 3 }, [9, 9, 3], 'DepthwiseConv2D'],
  ['low rank, strides 3, dilation 2, valid, relu', { filters: 6, kernelSize: 2, strides: 3, dilationRate: 2, coefficients: { kind: 'lowRank', rank: 2 }, activation: 'relu' }, [10, 10, 2], 'Conv2D'],
  ['grouped, explicit padding, strides 2, dilation 2', { filters: 4, kernelSize: 3, strides: 2, dilationRate: 2, padding: [[1, 2], [0, 1]], groups: 2 }, [8, 8, 4], 'GroupedConv2D'],
];

describe('foldModel with strides and dilation together', () => {
  it.each(cases)('%s: folds to a %s that runs, predicting what the layer and core predict', async (_, args, inputShape, target) => {
    const model = tf.sequential({ layers: [linearConv2d({ ...args, inputShape, name: 'l' })] });
    const layer = model.getLayer('l') as LinearConv2D;
    const folded = await foldModel(model);
    const plain = folded.getLayer('l');
    expect(plain.getClassName()).toBe(target);
    const input = tf.randomNormal([2, ...inputShape], 0, 1, 'float32', 8) as tf.Tensor4D;
    const [a, b] = [model.predict(input) as tf.Tensor, folded.predict(input) as tf.Tensor];
    expect(b.shape).toEqual(a.shape);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    // Independent of the tfjs layer: the float64 reference of the same weights.
    const expected = reference(layer, input);
    const got = b.dataSync();
    const relu = args.activation === 'relu';
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - (relu ? Math.max(0, expected[i]) : expected[i]))).toBeLessThan(1e-5);
    if (target !== 'GroupedConv2D') expect(plain.getConfig().dilationRate).toEqual([1, 1]);
    tf.dispose([input, a, b]);
    model.dispose();
    folded.dispose();
  });
});
