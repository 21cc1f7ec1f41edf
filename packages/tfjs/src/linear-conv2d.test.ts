import { correlationLoss, LinearConvError, linearConvParams } from '@linearconv/core';
import { errorOf } from '@linearconv/test-support';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type LinearConv2D, linearConv2d } from './linear-conv2d.js';
import { correlation } from './regularizers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const input = (shape: number[], seed = 1) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe('LinearConv2D', () => {
  it('predicts exactly what a Conv2D holding the composed kernel predicts', () => {
    const layer = linearConv2d({ filters: 8, kernelSize: 3, padding: 'same', strides: 2, activation: 'relu', inputShape: [9, 9, 3] });
    const model = tf.sequential({ layers: [layer] });
    const conv = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', strides: 2, activation: 'relu', inputShape: [9, 9, 3] });
    const plain = tf.sequential({ layers: [conv] });
    const kernel = layer.composedKernel();
    conv.setWeights([kernel, layer.getWeights()[2]]);
    const x = input([2, 9, 9, 3]);
    const [a, b] = [model.predict(x) as tf.Tensor, plain.predict(x) as tf.Tensor];
    expect(a.shape).toEqual([2, 5, 5, 8]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([kernel, x, a, b]);
    model.dispose();
    plain.dispose();
  });

  it('stores primaries, coefficients and bias, and counts them as core does', () => {
    const model = tf.sequential({
      layers: [
        linearConv2d({ filters: 16, kernelSize: 3, inputShape: [8, 8, 4] }),
        linearConv2d({ filters: 10, kernelSize: [3, 1], primaryFilters: 3, coefficients: { kind: 'lowRank', rank: 2 }, useBias: false }),
      ],
    });
    const [first, second] = model.layers as LinearConv2D[];
    expect(first.weights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual([
      ['primary', [3, 3, 4, 8]],
      ['coefficients', [8, 8]],
      ['bias', [16]],
    ]);
    expect(second.weights.map((w) => [w.originalName.split('/').pop(), w.shape])).toEqual([
      ['primary', [3, 1, 16, 3]],
      ['column', [7, 2]],
      ['row', [2, 3]],
    ]);
    expect(first.countParams()).toBe(linearConvParams(first.spec!));
    expect(second.countParams()).toBe(linearConvParams(second.spec!));
    expect(model.countParams()).toBe(288 + 64 + 16 + (144 + 14 + 6));
    model.dispose();
  });

  it('supports groups and depthwise, which tfjs Conv2D lacks', () => {
    const grouped = linearConv2d({ filters: 6, kernelSize: 3, groups: 2, padding: 'same' });
    const depthwise = linearConv2d({ filters: 12, kernelSize: 3, groups: 6, padding: 'same' });
    const x = input([1, 5, 5, 4]);
    const y = depthwise.apply(grouped.apply(x)) as tf.Tensor;
    expect(grouped.getWeights()[0].shape).toEqual([3, 3, 2, 3]);
    expect(depthwise.getWeights()[0].shape).toEqual([3, 3, 1, 6]);
    expect(y.shape).toEqual([1, 5, 5, 12]);
    tf.dispose([x, y]);
  });

  it('agrees between channelsFirst and channelsLast', () => {
    const last = linearConv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same' });
    const first = linearConv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', dataFormat: 'channelsFirst' });
    const x = input([1, 7, 7, 3]);
    const yLast = last.apply(x) as tf.Tensor;
    first.apply(tf.transpose(x, [0, 3, 1, 2]));
    first.setWeights(last.getWeights());
    const yFirst = first.apply(tf.transpose(x, [0, 3, 1, 2])) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(tf.transpose(yFirst, [0, 2, 3, 1]), yLast))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('names the argument and the rule of a bad configuration', () => {
    expect(errorOf(() => linearConv2d({ filters: 8, kernelSize: 3, primaryFilters: 8 }), LinearConvError).field).toBe('primaryFilters');
    expect(errorOf(() => linearConv2d({ filters: 1, kernelSize: 3 }), LinearConvError).field).toBe('filters');
    expect(errorOf(() => linearConv2d({ filters: 8, kernelSize: 3, groups: 3 }), LinearConvError).field).toBe('groups');
    expect(errorOf(() => linearConv2d({ filters: 8, kernelSize: 3, coefficients: { kind: 'lowRank', rank: 0 } }), LinearConvError).field).toBe(
      'coefficients.rank',
    );
    expect(errorOf(() => linearConv2d({ filters: 8, kernelSize: 3, dilationRate: 0 }), LinearConvError).field).toMatch(/dilationRate/);
    // Input channels are known only when the layer is built.
    const grouped = linearConv2d({ filters: 8, kernelSize: 3, groups: 4 });
    const error = errorOf(() => grouped.apply(tf.input({ shape: [5, 5, 6] })), LinearConvError);
    expect(error.field).toBe('groups');
    expect(error.rule).toMatch(/must divide the input channels \(6\)/);
    expect(errorOf(() => linearConv2d({ filters: 4, kernelSize: 5 }).apply(tf.zeros([1, 3, 3, 1])), LinearConvError).field).toBe('kernelSize');
  });

  it('composes once for inference and again only when a weight changes', async () => {
    const layer = linearConv2d({ filters: 6, kernelSize: 3, inputShape: [6, 6, 2] });
    const model = tf.sequential({ layers: [layer, tf.layers.flatten(), tf.layers.dense({ units: 1 })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const compose = vi.spyOn(layer, 'composedKernel');
    const x = input([4, 6, 6, 2]);
    const before = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync());
    tf.tidy(() => model.predict(x));
    expect(compose).toHaveBeenCalledTimes(1);
    await model.fit(x, tf.ones([4, 1]), { epochs: 1, batchSize: 4, verbose: 0 });
    const calls = compose.mock.calls.length;
    const after = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync());
    expect(compose.mock.calls.length).toBe(calls + 1);
    expect(after).not.toEqual(before);
    // Setting the same variables changes nothing; new values recompose.
    layer.setWeights(layer.getWeights());
    tf.tidy(() => model.predict(x));
    expect(compose.mock.calls.length).toBe(calls + 1);
    tf.tidy(() => layer.setWeights(layer.getWeights().map((w) => tf.mul(w, 2))));
    tf.tidy(() => model.predict(x));
    expect(compose.mock.calls.length).toBe(calls + 2);
    model.dispose();
    x.dispose();
  });

  it('leaks no tensors over build, fit, predict and dispose', async () => {
    const cycle = async () => {
      const model = tf.sequential({
        layers: [
          linearConv2d({ filters: 4, kernelSize: 3, inputShape: [5, 5, 2], kernelRegularizer: correlation({ every: 2 }) }),
          linearConv2d({ filters: 4, kernelSize: 3, groups: 2, coefficients: { kind: 'lowRank', rank: 1 }, padding: 'same' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2 }),
        ],
      });
      model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const [x, y] = [input([3, 5, 5, 2]), tf.zeros([3, 2])];
      await model.fit(x, y, { epochs: 2, batchSize: 1, verbose: 0 });
      tf.dispose(model.predict(x) as tf.Tensor);
      model.optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    };
    await cycle();
    const before = tf.memory().numTensors;
    await cycle();
    await cycle();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('regularizers', () => {
  it('computes core correlationLoss on the primaries, times the weight', () => {
    const layer = linearConv2d({ filters: 8, kernelSize: 3 });
    layer.apply(tf.input({ shape: [5, 5, 3] }));
    const primary = layer.getWeights()[0]; // [3, 3, 3, 4], HWIO
    const oihw = Float64Array.from(tf.transpose(primary, [3, 2, 0, 1]).dataSync());
    const expected = correlationLoss(oihw, 4).value;
    const value = correlation({ weight: 0.5, every: 1 }).apply(primary).dataSync()[0];
    expect(value).toBeCloseTo(0.5 * expected, 4);
  });

  it('applies the schedule in model.fit: the penalty on every n-th batch only', async () => {
    // Zero inputs and targets and a zero learning rate: each batch's loss is the penalty alone.
    const regularizer = correlation({ weight: 1, every: 3 });
    const model = tf.sequential({
      layers: [linearConv2d({ filters: 6, kernelSize: 3, inputShape: [4, 4, 2], kernelRegularizer: regularizer }), tf.layers.globalAveragePooling2d({})],
    });
    model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const losses: number[] = [];
    await model.fit(tf.zeros([7, 4, 4, 2]), tf.zeros([7, 6]), {
      batchSize: 1,
      epochs: 1,
      verbose: 0,
      callbacks: { onBatchEnd: async (_, logs) => void losses.push(logs!.loss as number) },
    });
    const penalty = losses[0];
    expect(penalty).toBeGreaterThan(0);
    expect(losses.map((l) => (l === 0 ? 0 : l / penalty))).toEqual([1, 0, 0, 1, 0, 0, 1].map((v) => (v ? expect.closeTo(1, 5) : 0)));
    // A custom loop: each calculateLosses() is one step, and the count goes on from fit.
    const steps = tf.tidy(() => [0, 1, 2].map(() => model.calculateLosses()[0].dataSync()[0]));
    expect(steps.map((v) => v > 0)).toEqual([false, false, true]);
    model.dispose();
  });

  it('guards constant filters: finite penalty and gradients', () => {
    const kernel = tf.concat([tf.fill([3, 3, 2, 1], 0.3), tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 2)], 3);
    const { value, grads } = tf.valueAndGrads((k: tf.Tensor) => correlation({ weight: 1, every: 1 }).apply(k))([kernel]);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Array.from(grads[0].dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('checks its arguments', () => {
    expect(() => correlation({ every: 0 })).toThrow(/every/);
    expect(() => correlation({ weight: -1 })).toThrow(/weight/);
  });
});
