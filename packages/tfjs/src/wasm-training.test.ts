import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { enableWasmTraining } from './wasm-training.js';
import { replaced } from './wasm-training/program.js';
import { zooModel } from './zoo.js';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];
type Pair = [number, number];

const MISSING = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];
const FASTER = ['Conv2DBackpropInput', 'BatchMatMul', 'Sum', 'Mean', 'Identity'];

/** mulberry32: the same values on every backend, unlike backend-side RNG. */
function seeded(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);
const rand = (shape: number[], seed: number) => tf.tensor(seeded(sizeOf(shape), seed), shape);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - tol * (1 + Math.abs(expected[i]));
    worst = Math.max(worst, excess);
  }
  expect(worst).toBeLessThanOrEqual(0);
}

function wasmDataIds(): number {
  return (tf.engine().backend as unknown as { numDataIds(): number }).numDataIds();
}

/** Runs `fn` on a backend and checks it leaves no tensor (and, on wasm, no heap buffer) behind. */
async function on<T>(backend: string, fn: () => Promise<T>): Promise<T> {
  await tf.setBackend(backend);
  const tensors = tf.memory().numTensors;
  const ids = backend === 'wasm' ? wasmDataIds() : 0;
  const result = await fn();
  expect(tf.memory().numTensors).toBe(tensors);
  if (backend === 'wasm') expect(wasmDataIds()).toBe(ids);
  return result;
}

interface Case {
  name: string;
  x: Shape4;
  k: Pair;
  /** conv2d: output channels; depthwise: channel multiplier. */
  out: number;
  strides: number | Pair;
  pad: Pad;
}

const cases: Case[] = [
  { name: '1x1 valid', x: [1, 5, 5, 3], k: [1, 1], out: 2, strides: 1, pad: 'valid' },
  { name: '1x1 same stride 2 (even, trailing row unused)', x: [3, 6, 6, 2], k: [1, 1], out: 2, strides: 2, pad: 'same' },
  { name: '3x3 same, batch 3, odd sizes', x: [3, 7, 9, 2], k: [3, 3], out: 2, strides: 1, pad: 'same' },
  { name: '3x3 same stride 2', x: [2, 8, 8, 3], k: [3, 3], out: 2, strides: 2, pad: 'same' },
  { name: '3x3 valid stride 2 (even, crop)', x: [2, 8, 8, 2], k: [3, 3], out: 2, strides: 2, pad: 'valid' },
  { name: '3x3 pad 1 stride 2', x: [1, 7, 6, 2], k: [3, 3], out: 2, strides: 2, pad: 1 },
  { name: '5x5 same stride 2, odd', x: [1, 11, 9, 2], k: [5, 5], out: 2, strides: 2, pad: 'same' },
  { name: '5x5 valid', x: [3, 9, 10, 1], k: [5, 5], out: 2, strides: 1, pad: 'valid' },
  { name: '3x5 valid stride [2,1]', x: [3, 9, 10, 2], k: [3, 5], out: 2, strides: [2, 1], pad: 'valid' },
  { name: '2x3 same stride [2,1]', x: [1, 7, 8, 3], k: [2, 3], out: 2, strides: [2, 1], pad: 'same' },
  { name: '3x3 explicit asymmetric', x: [3, 6, 7, 2], k: [3, 3], out: 2, strides: 1, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { name: '3x3 explicit pad larger than kernel, stride 2', x: [2, 7, 8, 2], k: [3, 3], out: 2, strides: 2, pad: [[0, 0], [3, 1], [4, 2], [0, 0]] },
  { name: '4x2 same stride 3', x: [2, 10, 7, 2], k: [4, 2], out: 2, strides: 3, pad: 'same' },
  // kh·kw·Ci above 32: the filter gradient is a conv, not the first-layer matmul the small cases take.
  { name: '3x3 same, 5 channels', x: [2, 6, 7, 5], k: [3, 3], out: 3, strides: 1, pad: 'same' },
  { name: '3x3 valid, 4 channels, odd', x: [3, 7, 5, 4], k: [3, 3], out: 2, strides: 1, pad: 'valid' },
];

/** Gradients of sum(conv(x, f) · r) with respect to x and f, read back to JS. */
async function gradsOf(c: Case, depthwise: boolean): Promise<Float32Array[]> {
  const filterShape = [c.k[0], c.k[1], c.x[3], depthwise ? c.out : c.out + 1];
  const x = rand(c.x, 1) as tf.Tensor4D;
  const f = rand(filterShape, 2) as tf.Tensor4D;
  const conv = (xx: tf.Tensor4D, ff: tf.Tensor4D) =>
    depthwise ? tf.depthwiseConv2d(xx, ff, c.strides, c.pad) : tf.conv2d(xx, ff, c.strides, c.pad);
  const outShape = tf.tidy(() => conv(x, f).shape);
  const r = rand(outShape, 3);
  const [dx, df] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(conv(xx as tf.Tensor4D, ff as tf.Tensor4D), r)))([x, f]);
  const out = [(await dx.data()) as Float32Array, (await df.data()) as Float32Array];
  tf.dispose([x, f, r, dx, df]);
  return out;
}

/** A dilated filter spelled out with zeros, so the cpu reference needs no dilation support. */
function dilate(f: tf.Tensor4D, [dh, dw]: Pair): tf.Tensor4D {
  const [kh, kw, a, b] = f.shape;
  return tf.tidy(() => {
    const spread = tf.pad(tf.reshape(f, [kh, 1, kw, 1, a, b]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
    return tf.slice(tf.reshape(spread, [kh * dh, kw * dw, a, b]) as tf.Tensor4D, 0, [(kh - 1) * dh + 1, (kw - 1) * dw + 1, a, b]);
  });
}

interface DilatedCase {
  name: string;
  x: Shape4;
  k: Pair;
  out: number;
  dilations: Pair;
  pad: Pad;
}

const dilatedCases: DilatedCase[] = [
  { name: '3x3 dilation 2 same', x: [2, 9, 8, 2], k: [3, 3], out: 2, dilations: [2, 2], pad: 'same' },
  { name: '3x3 dilation 2 valid', x: [3, 9, 10, 2], k: [3, 3], out: 1, dilations: [2, 2], pad: 'valid' },
  { name: '2x3 dilation [2,3] explicit', x: [1, 8, 9, 3], k: [2, 3], out: 2, dilations: [2, 3], pad: [[0, 0], [1, 2], [3, 0], [0, 0]] },
  { name: '3x3 dilation 2 same, 4 channels', x: [2, 9, 8, 4], k: [3, 3], out: 2, dilations: [2, 2], pad: 'same' },
];

/**
 * tfjs refuses gradients of dilated convs (and its cpu backprop kernels ignore
 * dilation), yet the kernels take a dilations attr. Check ours by running them
 * directly against cpu gradients through the zero-filled filter.
 */
async function dilatedKernels(c: DilatedCase, depthwise: boolean): Promise<Float32Array[]> {
  const filterShape: Shape4 = [c.k[0], c.k[1], c.x[3], c.out];
  const x = rand(c.x, 4) as tf.Tensor4D;
  const f = rand(filterShape, 5) as tf.Tensor4D;
  const conv = (xx: tf.Tensor4D, ff: tf.Tensor4D) =>
    depthwise ? tf.depthwiseConv2d(xx, ff, 1, c.pad) : tf.conv2d(xx, ff, 1, c.pad);
  let out: tf.Tensor[];
  if (tf.getBackend() === 'cpu') {
    const shape = tf.tidy(() => conv(x, dilate(f, c.dilations)).shape);
    const r = rand(shape, 6);
    out = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(conv(xx as tf.Tensor4D, dilate(ff as tf.Tensor4D, c.dilations)), r)))([x, f]);
    r.dispose();
  } else {
    const shape = tf.tidy(() => (depthwise ? tf.depthwiseConv2d(x, f, 1, c.pad, 'NHWC', c.dilations) : tf.conv2d(x, f, 1, c.pad, 'NHWC', c.dilations)).shape);
    const r = rand(shape, 6);
    const attrs = { strides: 1, pad: c.pad, dilations: c.dilations, dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
    const run = (name: string, inputs: tf.NamedTensorMap, extra: object) =>
      tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as tf.NamedAttrMap) as tf.Tensor;
    const dx = depthwise
      ? run('DepthwiseConv2dNativeBackpropInput', { dy: r, filter: f }, { inputShape: c.x })
      : run('Conv2DBackpropInput', { dy: r, filter: f }, { inputShape: c.x, dataFormat: 'NHWC' });
    const df = run(depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter', { x, dy: r }, { filterShape, dataFormat: 'NHWC' });
    out = [dx, df];
    r.dispose();
  }
  const data = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, f, ...out]);
  return data;
}

function smallCnn(optimizer: tf.Optimizer): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu', depthwiseInitializer: init(2) }),
      tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu', depthwiseInitializer: init(3), pointwiseInitializer: init(4) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(5) }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return model;
}

async function fitLosses(epochs: number): Promise<number[]> {
  const optimizer = tf.train.sgd(0.1);
  const model = smallCnn(optimizer);
  const xs = rand([16, 8, 8, 2], 7);
  const labels = tf.tensor1d(Array.from(seeded(16, 8), (v) => Math.floor((v + 0.5) * 3)), 'int32');
  const ys = tf.oneHot(labels, 3);
  try {
    const history = await model.fit(xs, ys, { epochs, batchSize: 8, shuffle: false, verbose: 0 });
    return history.history.loss as number[];
  } finally {
    tf.dispose([xs, labels, ys]);
    model.dispose();
    optimizer.dispose();
  }
}

beforeAll(async () => {
  // The .wasm binaries ship inside @tensorflow/tfjs-backend-wasm, so this works offline.
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
});

// Registration is global to this file's worker, so the "before" checks come first.
describe('before enableWasmTraining', () => {
  it('the wasm backend lacks the three convolution gradient kernels', () => {
    for (const name of MISSING) expect(tf.getKernel(name, 'wasm')).toBeUndefined();
  });

  it('so conv gradients and model.fit fail on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 4, 4, 1]);
    expect(() => tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same')))(tf.ones([3, 3, 1, 1]))).toThrow(
      /Conv2DBackpropFilter' not registered for backend 'wasm'/,
    );
    x.dispose();
    await expect(fitLosses(1)).rejects.toThrow(/not registered for backend 'wasm'/);
  });
});

describe('enableWasmTraining', () => {
  beforeAll(() => {
    enableWasmTraining();
  });

  it('registers the three missing kernels and replaces the slow ones for wasm, idempotently', () => {
    const names = [...MISSING, ...FASTER];
    const registered = names.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
    for (const k of registered) expect(k).toBeDefined();
    for (const name of FASTER) expect(tf.getKernel(name, 'wasm')?.kernelFunc).not.toBe(replaced.get(name));
    const count = tf.getKernelsForBackend('wasm').length;
    enableWasmTraining();
    expect(tf.getKernelsForBackend('wasm').length).toBe(count);
    expect(names.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc)).toEqual(registered);
  });

  describe.each(cases)('$name', (c) => {
    it('conv2d gradients match cpu', async () => {
      const want = await on('cpu', () => gradsOf(c, false));
      const got = await on('wasm', () => gradsOf(c, false));
      expectClose(got[0], want[0]);
      expectClose(got[1], want[1]);
    });

    it.each([1, 2])('depthwiseConv2d (multiplier %i) gradients match cpu', async (m) => {
      const dc = { ...c, out: m };
      const want = await on('cpu', () => gradsOf(dc, true));
      const got = await on('wasm', () => gradsOf(dc, true));
      expectClose(got[0], want[0]);
      expectClose(got[1], want[1]);
    });
  });

  describe.each(dilatedCases)('$name, kernels called directly', (c) => {
    it.each([false, true])('depthwise=%s matches cpu gradients through a zero-filled filter', async (depthwise) => {
      const want = await on('cpu', () => dilatedKernels(c, depthwise));
      const got = await on('wasm', () => dilatedKernels(c, depthwise));
      expectClose(got[0], want[0]);
      expectClose(got[1], want[1]);
    });
  });

  it("rejects NCHW in Conv2DBackpropFilter and Conv2DBackpropInput with a clear error", async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 2, 4, 4]);
    const dy = tf.ones([1, 3, 4, 4]);
    const filter = tf.ones([3, 3, 2, 3]);
    const ids = wasmDataIds();
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW' };
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 2, 3] })).toThrow(/only dataFormat 'NHWC'/);
    expect(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: [1, 2, 4, 4] })).toThrow(/only dataFormat 'NHWC'/);
    expect(wasmDataIds()).toBe(ids);
    tf.dispose([x, dy, filter]);
  });

  it('clones without copying: the clone outlives its source, and both free their heap buffer', async () => {
    await tf.setBackend('wasm');
    const ids = wasmDataIds();
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    expect(wasmDataIds()).toBe(ids + 1);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
    expect(wasmDataIds()).toBe(ids);
  });

  describe.each(['conv', 'full'] as const)("a training step of the zoo's Base (variant %s)", (variant) => {
    /** Loss and every weight's gradient of one softmax cross-entropy step, batch statistics on. */
    async function stepGradients(model: tf.LayersModel): Promise<{ loss: number; grads: Float32Array[] }> {
      const x = tf.tensor(seeded(3 * 16 * 16, 9), [3, 16, 16, 1]);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
      const out = { loss: (await value.data())[0], grads: await Promise.all(vars.map(async (v) => (await grads[v.name].data()) as Float32Array)) };
      tf.dispose([x, y, value, ...Object.values(grads)]);
      return out;
    }

    it('gives every weight the gradient tfjs-cpu gives', async () => {
      await tf.setBackend('cpu');
      const model = zooModel('base', { variant, inputShape: [16, 16, 1], classes: 3 });
      try {
        const want = await stepGradients(model);
        await tf.setBackend('wasm');
        const got = await stepGradients(model);
        expect(got.loss).toBeCloseTo(want.loss, 4);
        // Relative to each weight's gradient, with a floor at the step's overall scale: the biases
        // feeding a batch norm have a zero gradient in exact arithmetic, so only rounding noise.
        const norm = (v: ArrayLike<number>, u?: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, a, j) => s + (a - (u?.[j] ?? 0)) ** 2, 0));
        const overall = Math.sqrt(want.grads.reduce((s, w) => s + norm(w) ** 2, 0));
        for (const [i, g] of got.grads.entries()) expect(norm(g, want.grads[i])).toBeLessThanOrEqual(1e-4 * norm(want.grads[i]) + 1e-5 * overall);
      } finally {
        model.dispose();
      }
    });
  });

  it('model.fit trains a conv/depthwise/separable/dense model on wasm like on cpu', async () => {
    const want = await on('cpu', () => fitLosses(4));
    const got = await on('wasm', () => fitLosses(4));
    for (const loss of got) expect(Number.isFinite(loss)).toBe(true);
    expect(got[3]).toBeLessThan(got[0]);
    expectClose(got, want, 1e-3);
  });
});
