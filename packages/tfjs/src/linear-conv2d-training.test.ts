import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { composeKernel, type TensorWeights } from './compose.js';
import { groupedConv, type TfPadding } from './conv.js';
import { groupedConv2d } from './conv-layer.js';
import { type LinearConv2DArgs, linearConv2d } from './linear-conv2d.js';
import { enableWasmTraining } from './wasm-training.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/**
 * max |a − b| ≤ tol · max |b|: the two paths sum the same products in different orders, so in
 * float32 (unit roundoff u = 2^-24 ≈ 6e-8) each result differs by at most about n·u times the
 * sum of |terms|, n the sum's length. The longest sums here (a weight gradient over
 * N·H'·W' = 2·7·7 pixels times F or p terms) have n ≈ 10^3 and terms of either sign, so 1e-5 of
 * the largest value leaves room for the worst case yet catches any real difference (a wrong
 * tap, channel or missing bias term changes results by ≳ 1e-2 of their scale). Seen here: ≤ 6e-7
 * on tfjs-cpu and wasm.
 */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  expect(actual.shape).toEqual(expected.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] / tf.max(tf.abs(expected)).dataSync()[0]);
}
const TOLERANCE = 1e-5;

interface Config {
  name: string;
  input: [number, number, number, number];
  args: LinearConv2DArgs;
}

const configs: Config[] = [
  { name: "3×3 'same' with bias", input: [2, 7, 7, 8], args: { filters: 8, kernelSize: 3, padding: 'same' } },
  { name: 'stride 2, relu', input: [2, 7, 7, 8], args: { filters: 10, kernelSize: 3, strides: 2, activation: 'relu' } },
  {
    name: 'dilation 2, explicit padding, elu',
    input: [2, 7, 7, 8],
    args: { filters: 8, kernelSize: 3, dilationRate: 2, padding: [[1, 2], [2, 0]], activation: 'elu' },
  },
  {
    name: 'no bias, low rank, stride 2 with dilation 2',
    input: [2, 8, 8, 8],
    args: { filters: 8, kernelSize: 3, useBias: false, strides: 2, dilationRate: 2, primaryFilters: 3, coefficients: { kind: 'lowRank', rank: 2 } },
  },
  {
    name: 'channelsFirst, sigmoid, low rank',
    input: [2, 8, 7, 7],
    args: { filters: 8, kernelSize: [3, 2], dataFormat: 'channelsFirst', activation: 'sigmoid', coefficients: { kind: 'lowRank', rank: 3 } },
  },
];

const activations: Record<string, (y: tf.Tensor) => tf.Tensor> = {
  linear: (y) => y,
  relu: tf.relu,
  elu: tf.elu,
  sigmoid: tf.sigmoid,
};

/** The weight-space layer, written out: composeKernel, then groupedConv with F filters. */
function weightSpace(config: Config, x: tf.Tensor4D, weights: TensorWeights, bias?: tf.Tensor1D): tf.Tensor {
  const { args } = config;
  const pair = (v: number | number[] | undefined): [number, number] => (Array.isArray(v) ? (v as [number, number]) : [v ?? 1, v ?? 1]);
  const channelsFirst = args.dataFormat === 'channelsFirst';
  const explicit = Array.isArray(args.padding) ? args.padding : undefined;
  const padding: TfPadding = explicit ? [[0, 0], explicit[0], explicit[1], [0, 0]] : (args.padding as 'same' | 'valid' | undefined) ?? 'valid';
  const nhwc = channelsFirst ? (tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D) : x;
  const y = groupedConv(nhwc, composeKernel(weights), {
    strides: pair(args.strides as number | number[]),
    padding,
    dilations: pair(args.dilationRate as number | number[]),
    groups: 1,
    bias,
    differentiable: true,
  });
  const activated = activations[(args.activation as string | undefined) ?? 'linear'](y);
  return channelsFirst ? tf.transpose(activated, [0, 3, 1, 2]) : activated;
}

/** A built layer with seeded weights (initialisers are not seeded), and its input. */
function seededLayer(config: Config, seed: number) {
  const layer = linearConv2d(config.args);
  const x = normal(config.input, seed) as tf.Tensor4D;
  tf.dispose(layer.apply(x) as tf.Tensor);
  layer.setWeights(layer.getWeights().map((w, i) => tf.mul(normal(w.shape, seed + 1 + i), 0.5)));
  return { layer, x };
}

async function compareOn(backend: string): Promise<void> {
  await tf.setBackend(backend);
  if (backend === 'wasm') enableWasmTraining();
  for (const [index, config] of configs.entries()) {
    const { layer, x } = seededLayer(config, 100 * index + 1);
    const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const xVar = tf.variable(x, true, `x_${backend}_${index}`);
    const inference = layer.apply(x) as tf.Tensor;
    const target = normal(inference.shape, 100 * index + 50);
    const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, target)) as tf.Scalar;

    // The training path must be the output-space one: a conv with p filters, then a matmul.
    const profile = await tf.profile(() => tf.dispose(layer.apply(x, { training: true }) as tf.Tensor));
    const convFilters = profile.kernels.filter((k) => /Conv2D$/.test(k.name)).map((k) => k.inputShapes[1]?.[3]);
    expect(convFilters, config.name).toEqual([layer.primaryFilters]);
    expect(profile.kernels.some((k) => k.name === '_FusedMatMul'), config.name).toBe(true);

    const before = tf.memory().numTensors;
    const step = tf.variableGrads(() => loss(layer.apply(xVar, { training: true }) as tf.Tensor), [xVar, ...variables]);
    tf.dispose([step.value, ...Object.values(step.grads)]);
    expect(tf.memory().numTensors, `${config.name}: a training step leaves no tensor`).toBe(before);

    const training = tf.variableGrads(() => loss(layer.apply(xVar, { training: true }) as tf.Tensor), [xVar, ...variables]);
    const forward = layer.apply(x, { training: true }) as tf.Tensor;

    const [primary, a, b, bias] = [variables[0] as tf.Tensor4D, variables[1] as tf.Tensor2D, variables[2] as tf.Tensor2D, variables.at(-1) as tf.Tensor1D];
    const lowRank = config.args.coefficients !== undefined;
    const hasBias = config.args.useBias !== false;
    const reference = tf.grads((...t: tf.Tensor[]) => {
      const weights: TensorWeights = lowRank
        ? { primary: t[1] as tf.Tensor4D, column: t[2] as tf.Tensor2D, row: t[3] as tf.Tensor2D }
        : { primary: t[1] as tf.Tensor4D, coefficients: t[2] as tf.Tensor2D };
      return loss(weightSpace(config, t[0] as tf.Tensor4D, weights, hasBias ? (t.at(-1) as tf.Tensor1D) : undefined));
    })([x, primary, a, ...(lowRank ? [b] : []), ...(hasBias ? [bias] : [])]);
    const expectedForward = weightSpace(config, x, lowRank ? { primary, column: a, row: b } : { primary, coefficients: a }, hasBias ? bias : undefined);

    const got = [xVar, ...variables].map((v) => training.grads[v.name]);
    const errors = {
      output: relativeError(forward, expectedForward),
      inference: relativeError(forward, inference),
      ...Object.fromEntries(got.map((g, i) => [i === 0 ? 'x' : variables[i - 1].name, relativeError(g, reference[i])])),
    };
    for (const [what, error] of Object.entries(errors)) expect(error, `${backend} ${config.name}: ${what}`).toBeLessThan(TOLERANCE);

    tf.dispose([training.value, ...Object.values(training.grads)]);
    tf.dispose([forward, expectedForward, inference, target, x, xVar, ...reference]);
    layer.dispose();
  }
}

describe('LinearConv2D training in output space', () => {
  it('matches the weight-space layer on tfjs-cpu: output, and gradients for x, primary, coefficients and bias', async () => {
    await compareOn('cpu');
  });

  it('matches it on wasm with enableWasmTraining()', async () => {
    await compareOn('wasm');
  });

  it('stays in weight space for groups > 1 and where composing is cheaper', async () => {
    await tf.setBackend('cpu');
    for (const args of [
      { filters: 8, kernelSize: 3, groups: 2 },
      { filters: 16, kernelSize: 1 },
    ] as LinearConv2DArgs[]) {
      const layer = linearConv2d(args);
      const x = normal([2, 5, 5, 4], 7);
      const profile = await tf.profile(() => tf.dispose(layer.apply(x, { training: true }) as tf.Tensor));
      expect(profile.kernels.some((k) => k.name === '_FusedMatMul')).toBe(false);
      x.dispose();
      layer.dispose();
    }
  });
});

describe('a conv fed by the model input', () => {
  /** Input → conv → relu → flatten → dense, the conv either ours (groups 1) or a LinearConv2D. */
  function smallModel(kind: 'conv' | 'linearConv', second = false) {
    const input = tf.input({ shape: [6, 6, 1] });
    // 16 filters from 1 channel: LinearConv2D composes in weight space here (F > C·kh·kw).
    const args = { filters: 16, kernelSize: 3, padding: 'same' as const };
    const conv = kind === 'conv' ? groupedConv2d(args) : linearConv2d(args);
    let h = conv.apply(input) as tf.SymbolicTensor;
    const next = second ? groupedConv2d({ filters: 3, kernelSize: 3 }) : undefined;
    if (next) h = next.apply(h) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 3 });
    const output = dense.apply(tf.layers.flatten().apply(tf.layers.activation({ activation: 'relu' }).apply(h))) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    model.setWeights(model.getWeights().map((w, i) => normal(w.shape, 20 + i)));
    return { model, conv, next, dense };
  }

  /** The same model written with tf.fused.conv2d, whose gradient always computes dx. */
  function fused(x: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D, denseKernel: tf.Tensor2D, denseBias: tf.Tensor1D): tf.Tensor {
    const y = tf.relu(tf.fused.conv2d({ x, filter: kernel, strides: 1, pad: 'same', bias }));
    return tf.add(tf.matMul(tf.reshape(y, [x.shape[0], -1]), denseKernel), denseBias);
  }

  for (const kind of ['conv', 'linearConv'] as const) {
    it(`${kind}: a training step runs no Conv2DBackpropInput; gradients as the fused path's; tf.grad w.r.t. the input still works`, async () => {
      await tf.setBackend('cpu');
      const { model, conv, dense } = smallModel(kind);
      const x = normal([3, 6, 6, 1], 5) as tf.Tensor4D;
      const target = normal([3, 3], 6);
      const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, target)) as tf.Scalar;
      const step = () => tf.variableGrads(() => loss(model.apply(x, { training: true }) as tf.Tensor));
      const profile = await tf.profile(() => {
        const { value, grads } = step();
        tf.dispose([value, ...Object.values(grads)]);
      });
      const names = profile.kernels.map((k) => k.name);
      // One conv with all F filters: the weight-space path, fed by the input, unfused.
      expect(profile.kernels.filter((k) => /Conv2D$/.test(k.name)).map((k) => [k.name, k.inputShapes[1]?.[3]])).toEqual([['Conv2D', 16]]);
      expect(names).toContain('Conv2DBackpropFilter');
      expect(names).not.toContain('Conv2DBackpropInput');

      const { value, grads } = step();
      // The conv's weights ([kernel] or [primary, coefficients]), then its bias; the dense layer's.
      const convWeights = conv.trainableWeights.map((w) => w.read() as tf.Variable);
      const [denseKernel, denseBias] = dense.trainableWeights.map((w) => w.read() as tf.Variable);
      const kernelOf = (w: tf.Tensor[]) =>
        kind === 'conv' ? (w[0] as tf.Tensor4D) : composeKernel({ primary: w[0] as tf.Tensor4D, coefficients: w[1] as tf.Tensor2D });
      const reference = tf.grads((...w: tf.Tensor[]) => {
        const n = convWeights.length;
        return loss(fused(x, kernelOf(w), w[n - 1] as tf.Tensor1D, w[n] as tf.Tensor2D, w[n + 1] as tf.Tensor1D));
      })([...convWeights, denseKernel, denseBias]);
      [...convWeights, denseKernel, denseBias].forEach((w, i) => {
        expect(relativeError(grads[w.name], reference[i]), w.name).toBeLessThan(TOLERANCE);
      });

      const kernel = kernelOf(convWeights);
      const convBias = convWeights.at(-1) as tf.Tensor1D;
      const dx = tf.grad((input: tf.Tensor) => loss(model.apply(input, { training: true }) as tf.Tensor))(x);
      const expectedDx = tf.grad((input: tf.Tensor) => loss(fused(input as tf.Tensor4D, kernel, convBias, denseKernel as tf.Tensor2D, denseBias as tf.Tensor1D)))(x);
      expect(relativeError(dx, expectedDx)).toBeLessThan(TOLERANCE);

      tf.dispose([value, ...Object.values(grads), ...reference, dx, expectedDx, x, target]);
      if (kind === 'linearConv') kernel.dispose();
      model.dispose();
    });
  }

  it('keeps the input gradient, fused, for a conv fed by another layer', async () => {
    await tf.setBackend('cpu');
    const { model } = smallModel('conv', true);
    const x = normal([2, 6, 6, 1], 8);
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      tf.dispose([value, ...Object.values(grads)]);
    });
    const names = profile.kernels.map((k) => k.name);
    expect(names.filter((n) => n === 'Conv2DBackpropInput')).toHaveLength(1);
    expect(names.filter((n) => n === 'FusedConv2D')).toHaveLength(1);
    expect(names.filter((n) => n === 'Conv2D')).toHaveLength(1);
    x.dispose();
    model.dispose();
  });
});
