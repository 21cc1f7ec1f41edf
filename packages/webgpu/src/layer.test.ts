import { createRandom, initialWeights, type LayerSpecInput, LinearConvError, layerSpec, linearConvBackward, linearConvForward, uniformArray } from '@linearconv/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackBuffers } from './buffer-tracker.js';
import { createStorageBuffer, download, upload } from './buffers.js';
import { requestDevice } from './device.js';
import { LinearConvLayer } from './layer.js';

let device: GPUDevice;
beforeAll(async () => {
  device = await requestDevice();
});
afterAll(() => device?.destroy());

const layerInput: LayerSpecInput = { inChannels: 4, outChannels: 6, kernelSize: 3, padding: 'same' };
const inputShape = [2, 4, 5, 5];

function setup(seed: number, input: LayerSpecInput = layerInput) {
  const spec = layerSpec(input);
  const weights = initialWeights(spec, createRandom(seed));
  const x = uniformArray(createRandom(seed + 1), 2 * input.inChannels * 25, -1, 1);
  return { spec, weights, x };
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

describe('LinearConvLayer', () => {
  it('composes the filters once and reuses them until the weights change', async () => {
    const { spec, weights, x } = setup(1);
    const layer = new LinearConvLayer(device, spec, weights);
    const input = upload(device, x);
    const outputs = [await layer.forward(input, inputShape), await layer.forward(input, inputShape)];
    expect(layer.compositions).toBe(1);
    const first = await download(device, outputs[0], 300);
    expect(maxError(first, linearConvForward(spec, weights, { shape: inputShape, data: x }).data)).toBeLessThan(1e-4);

    const changed = initialWeights(spec, createRandom(2));
    layer.setWeights(changed);
    outputs.push(await layer.forward(input, inputShape));
    expect(layer.compositions).toBe(2);
    const second = await download(device, outputs[2], 300);
    expect(maxError(second, linearConvForward(spec, changed, { shape: inputShape, data: x }).data)).toBeLessThan(1e-4);

    // An engine's own optimizer writes the weight buffers on the GPU, then says so.
    device.queue.writeBuffer(layer.weights.bias!, 0, new Float32Array(6).fill(10));
    layer.weightsChanged();
    outputs.push(await layer.forward(input, inputShape));
    expect(layer.compositions).toBe(3);
    const third = await download(device, outputs[3], 300);
    expect(maxError(third, linearConvForward(spec, { ...changed, bias: new Float32Array(6).fill(10) }, { shape: inputShape, data: x }).data)).toBeLessThan(1e-4);
    for (const b of [input, ...outputs]) b.destroy();
    layer.dispose();
  });

  it('leaves no GPU buffer behind after dispose (forward, backward, regularisers, a failed call)', async () => {
    const tracker = trackBuffers(device);
    try {
      const { spec, weights, x } = setup(3, { ...layerInput, coefficients: { kind: 'lowRank', rank: 2 } });
      const layer = new LinearConvLayer(device, spec, weights, { activation: 'relu' });
      const input = upload(device, x);
      const output = await layer.forward(input, inputShape);
      const grads = await layer.backward(input, inputShape, output, { output });
      const correlation = await layer.correlation();
      const orthogonality = await layer.orthogonality();
      await expect(layer.forward(input, [2, 3, 5, 5])).rejects.toThrow(LinearConvError);
      await download(device, grads.inputGrad, 4);
      // What the layer returned belongs to the caller; everything else goes with dispose().
      for (const b of [input, output, ...Object.values(grads), ...Object.values(correlation), ...Object.values(orthogonality)]) b.destroy();
      expect(tracker.live).toBeGreaterThan(0);
      layer.dispose();
      expect(tracker.liveLabels).toEqual([]);
      expect(() => layer.setWeights(weights)).toThrow(/layer: was disposed/);
      await expect(layer.forward(input, inputShape)).rejects.toThrow(LinearConvError);
    } finally {
      tracker.stop();
    }
  });

  it('back-propagates through the fused relu from the forward output', async () => {
    const { spec, weights, x } = setup(4);
    const layer = new LinearConvLayer(device, spec, weights, { activation: 'relu' });
    const input = upload(device, x);
    const output = await layer.forward(input, inputShape);
    const dyData = uniformArray(createRandom(9), 300, -1, 1);
    const dy = upload(device, dyData);
    await expect(layer.backward(input, inputShape, dy)).rejects.toThrow(/output: is required: backward through the fused relu/);
    const grads = await layer.backward(input, inputShape, dy, { output });
    const pre = linearConvForward(spec, weights, { shape: inputShape, data: x }).data;
    const masked = Float64Array.from(dyData, (g, i) => (pre[i] > 0 ? g : 0));
    const want = linearConvBackward(spec, weights, { shape: inputShape, data: x }, { shape: [2, 6, 5, 5], data: masked });
    expect(maxError(await download(device, grads.inputGrad, 200), want.inputGrad.data)).toBeLessThan(1e-3);
    expect(maxError(await download(device, grads.primaryGrad, want.primaryGrad.length), want.primaryGrad)).toBeLessThan(1e-3);
    expect(maxError(await download(device, grads.coefficientsGrad!, want.coefficientsGrad!.length), want.coefficientsGrad!)).toBeLessThan(1e-3);
    expect(maxError(await download(device, grads.biasGrad!, 6), want.biasGrad!)).toBeLessThan(1e-3);
    for (const b of [input, output, dy, ...Object.values(grads)]) b.destroy();
    layer.dispose();
  });

  it('writes into a given output buffer and refuses bad input with a LinearConvError naming it', async () => {
    const { spec, weights, x } = setup(5);
    const layer = new LinearConvLayer(device, spec, weights);
    const input = upload(device, x);
    const output = createStorageBuffer(device, 300 * 4, 'mine');
    expect(await layer.forward(input, inputShape, output)).toBe(output);
    const small = createStorageBuffer(device, 16, 'small');
    await expect(layer.forward(small, inputShape)).rejects.toThrow(/^input: must be a buffer of at least 800 bytes, got 16$/);
    await expect(layer.forward(input, [2, 4, 5])).rejects.toThrow(/inputShape: must be \[batch, channels, height, width\]/);
    expect(() => layer.setWeights({ ...weights, primary: new Float32Array(3) })).toThrow(/weights.primary: must hold 108 values/);
    expect(() => new LinearConvLayer(device, spec, weights, { activation: 'gelu' as never })).toThrow(/activation: must be 'none', 'relu' or 'relu6'/);
    for (const b of [input, output, small]) b.destroy();
    layer.dispose();
  });
});
