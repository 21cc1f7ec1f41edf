import {
  correlationLoss,
  createRandom,
  initialWeights,
  type LayerSpec,
  type LayerSpecInput,
  type LinearConvWeights,
  layerSpec,
  linearConvBackward,
  linearConvForward,
  uniformArray,
} from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { createStorageBuffer, download, upload } from './buffers.js';
import { requestDevice } from './device.js';
import { LinearConvLayer } from './layer.js';
import { GpuRuntime } from './runtime.js';

// Calls take effect in call order, awaited or not: a forward (backward, regulariser, download)
// called before setWeights() or weightsChanged() uses the weights in force when it was called.
// On a fresh device every first call waits for its pipelines, so the calls behind it queue; on
// a warm one they are submitted at once. Both must give core's float64 reference.

const TOLERANCE = 1e-4;

function maxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Math.abs(got[i] - want[i]));
  return got.length === want.length ? e : Number.POSITIVE_INFINITY;
}

function setup(input: LayerSpecInput, inputShape: readonly number[], seed: number) {
  const spec = layerSpec(input);
  const weights = [1, 2, 3, 4].map((i) => initialWeights(spec, createRandom(seed * 10 + i)));
  const x = uniformArray(createRandom(seed), inputShape.reduce((a, b) => a * b, 1), -1, 1);
  return { spec, weights, x };
}

/** Writes `weights` into the layer's buffers on the GPU, as an engine's optimizer would, then says so. */
function writeOnGpu(device: GPUDevice, layer: LinearConvLayer, weights: LinearConvWeights<Float32Array>): void {
  for (const name of ['primary', 'coefficients', 'column', 'row', 'bias'] as const) {
    const data = weights[name];
    if (data) device.queue.writeBuffer(layer.weights[name]!, 0, data);
  }
  layer.weightsChanged();
}

const reference = (spec: LayerSpec, weights: LinearConvWeights, shape: readonly number[], data: Float32Array | Float64Array) =>
  linearConvForward(spec, weights, { shape, data }).data;

/** forward, setWeights, forward, a write on the GPU + weightsChanged, forward, another write: none awaited. */
async function unawaitedSequence(device: GPUDevice, seed: number) {
  const shape = [2, 4, 6, 6];
  const { spec, weights, x } = setup({ inChannels: 4, outChannels: 6, kernelSize: 3, padding: 'same' }, shape, seed);
  const layer = new LinearConvLayer(device, spec, weights[0]);
  const input = upload(device, x);
  const outputs = [layer.forward(input, shape)];
  layer.setWeights(weights[1]);
  outputs.push(layer.forward(input, shape));
  writeOnGpu(device, layer, weights[2]);
  outputs.push(layer.forward(input, shape));
  // Written after the last forward was called: it must not reach it.
  writeOnGpu(device, layer, weights[3]);
  const floats = 2 * 6 * 6 * 6;
  const results = await Promise.all(outputs.map(async (y) => download(device, await y, floats)));
  results.forEach((got, i) => {
    expect(maxError(got, reference(spec, weights[i], shape, x)), `forward ${i + 1}`).toBeLessThan(TOLERANCE);
  });
  expect(layer.compositions).toBe(3);
  // The next call composes from the last weights written.
  const last = await layer.forward(input, shape);
  expect(maxError(await download(device, last, floats), reference(spec, weights[3], shape, x))).toBeLessThan(TOLERANCE);
  for (const b of [input, last, ...(await Promise.all(outputs))]) b.destroy();
  layer.dispose();
}

describe('calls take effect in call order', () => {
  it('un-awaited forwards around setWeights and weightsChanged, queued behind compiles (fresh device)', async () => {
    const device = await requestDevice();
    try {
      expect(GpuRuntime.for(device).cachedKeys).toEqual([]);
      await unawaitedSequence(device, 1);
    } finally {
      device.destroy();
    }
  });

  it('the same once the pipelines are compiled (submitted at once)', async () => {
    const device = await requestDevice();
    try {
      await unawaitedSequence(device, 2);
      const keys = GpuRuntime.for(device).cachedKeys.length;
      await unawaitedSequence(device, 3);
      expect(GpuRuntime.for(device).cachedKeys).toHaveLength(keys);
    } finally {
      device.destroy();
    }
  });

  it('two layers interleaved, the second reading the first one’s un-awaited output, downloads called before any await', async () => {
    const device = await requestDevice();
    try {
      const shapeA = [1, 3, 7, 7];
      const a = setup({ inChannels: 3, outChannels: 4, kernelSize: 3, coefficients: { kind: 'lowRank', rank: 1 } }, shapeA, 4);
      const b = setup({ inChannels: 4, outChannels: 6, kernelSize: [2, 3], strides: 2, padding: 'same' }, [1, 4, 5, 5], 5);
      const layerA = new LinearConvLayer(device, a.spec, a.weights[0], { activation: 'relu' });
      const layerB = new LinearConvLayer(device, b.spec, b.weights[0]);
      const shapeB = layerA.outputShape(shapeA);
      const input = upload(device, a.x);
      const middle = [0, 1].map(() => createStorageBuffer(device, shapeB.reduce((p, q) => p * q, 1) * 4, 'middle'));
      const calls: Promise<GPUBuffer>[] = [];
      calls.push(layerA.forward(input, shapeA, middle[0]));
      calls.push(layerB.forward(middle[0], shapeB));
      layerA.setWeights(a.weights[1]);
      writeOnGpu(device, layerB, b.weights[1]);
      calls.push(layerA.forward(input, shapeA, middle[1]));
      calls.push(layerB.forward(middle[1], shapeB));
      layerA.setWeights(a.weights[2]);
      layerB.setWeights(b.weights[2]);
      // Downloads in call order too: after the forwards that write what they read.
      const size = (shape: readonly number[]) => shape.reduce((p, q) => p * q, 1);
      const firstMiddle = download(device, middle[0], size(shapeB));
      const outputs = calls.filter((_, i) => i % 2 === 1);
      const downloads = outputs.map(async (y) => download(device, await y, size(layerB.outputShape(shapeB))));

      const relu = (v: Float64Array) => v.map((e) => Math.max(e, 0));
      for (const step of [0, 1]) {
        const hidden = relu(reference(a.spec, a.weights[step], shapeA, a.x));
        const want = reference(b.spec, b.weights[step], shapeB, hidden);
        expect(maxError(await downloads[step], want), `layer B, step ${step + 1}`).toBeLessThan(TOLERANCE);
        if (step === 0) expect(maxError(await firstMiddle, hidden), 'layer A, step 1').toBeLessThan(TOLERANCE);
      }
      expect([layerA.compositions, layerB.compositions]).toEqual([2, 2]);
      for (const buffer of [input, ...middle, ...(await Promise.all(outputs))]) buffer.destroy();
      layerA.dispose();
      layerB.dispose();
    } finally {
      device.destroy();
    }
  });

  it('backward and the correlation loss, un-awaited, use the weights they were called with', async () => {
    const device = await requestDevice();
    try {
      const shape = [2, 2, 5, 5];
      const { spec, weights, x } = setup({ inChannels: 2, outChannels: 4, kernelSize: 3, coefficients: { kind: 'lowRank', rank: 2 } }, shape, 6);
      const layer = new LinearConvLayer(device, spec, weights[0]);
      const outShape = layer.outputShape(shape);
      const dyData = uniformArray(createRandom(60), outShape.reduce((p, q) => p * q, 1), -1, 1);
      const input = upload(device, x);
      const dy = upload(device, dyData);
      const grads = layer.backward(input, shape, dy);
      const correlation = layer.correlation();
      writeOnGpu(device, layer, weights[1]);
      const later = layer.correlation();

      const want = linearConvBackward(spec, weights[0], { shape, data: x }, { shape: outShape, data: dyData });
      const got = await grads;
      expect(maxError(await download(device, got.inputGrad, want.inputGrad.data.length), want.inputGrad.data)).toBeLessThan(TOLERANCE);
      expect(maxError(await download(device, got.primaryGrad, want.primaryGrad.length), want.primaryGrad)).toBeLessThan(TOLERANCE);
      expect(maxError(await download(device, got.columnGrad!, want.columnGrad!.length), want.columnGrad!)).toBeLessThan(TOLERANCE);
      expect(maxError(await download(device, got.rowGrad!, want.rowGrad!.length), want.rowGrad!)).toBeLessThan(TOLERANCE);
      expect(maxError(await download(device, got.biasGrad!, want.biasGrad!.length), want.biasGrad!)).toBeLessThan(TOLERANCE);
      for (const [result, w] of [
        [await correlation, weights[0]],
        [await later, weights[1]],
      ] as const) {
        const expected = correlationLoss(Float64Array.from(w.primary), spec.primaryFilters);
        expect(Math.abs((await download(device, result.value, 1))[0] - expected.value)).toBeLessThan(1e-3);
        expect(maxError(await download(device, result.grad, expected.grad.length), expected.grad)).toBeLessThan(1e-3);
      }
      for (const buffer of [input, dy, ...Object.values(got), ...Object.values(await correlation), ...Object.values(await later)]) buffer.destroy();
      layer.dispose();
    } finally {
      device.destroy();
    }
  });
});
