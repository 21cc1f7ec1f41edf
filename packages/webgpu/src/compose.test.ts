import { composeFilters, composeFiltersBackward, createRandom, initialWeights, type LayerSpecInput, layerSpec, uniformArray, weightShapes } from '@linearconv/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorageBuffer, download, upload } from './buffers.js';
import { composeSteps } from './compose.js';
import { composeBackwardSteps } from './compose-backward.js';
import { requestDevice } from './device.js';
import { GpuRuntime } from './runtime.js';
import { Scratch } from './scratch.js';

let device: GPUDevice;
beforeAll(async () => {
  device = await requestDevice();
});
afterAll(() => device?.destroy());

const size = (shape?: readonly number[]) => (shape ? shape.reduce((a, b) => a * b, 1) : 0);

describe('composition on the GPU, against core', () => {
  // Sizes past the small-GEMM blocking, so the profile's big tiles and vector paths run too.
  const layers: [string, LayerSpecInput][] = [
    ['full, 128 filters of 64×3×3', { inChannels: 64, outChannels: 128, kernelSize: 3 }],
    ['low rank 10, odd sizes', { inChannels: 30, outChannels: 90, kernelSize: 3, primaryFilters: 50, coefficients: { kind: 'lowRank', rank: 10 } }],
  ];
  for (const [name, input] of layers) {
    it(name, async () => {
      const spec = layerSpec(input);
      const shapes = weightShapes(spec);
      const weights = initialWeights(spec, createRandom(11));
      const runtime = GpuRuntime.for(device);
      const scratch = new Scratch(device);
      const buffers = {
        primary: upload(device, weights.primary),
        ...(weights.coefficients && { coefficients: upload(device, weights.coefficients) }),
        ...(weights.column && { column: upload(device, weights.column), row: upload(device, weights.row!) }),
      };
      const filters = createStorageBuffer(device, size(shapes.filters) * 4, 'filters');
      const dWData = uniformArray(createRandom(12), size(shapes.filters), -1, 1);
      const dW = upload(device, dWData);
      const grads = {
        primaryGrad: createStorageBuffer(device, size(shapes.primary) * 4, 'dP'),
        ...(shapes.coefficients && { coefficientsGrad: createStorageBuffer(device, size(shapes.coefficients) * 4, 'dA') }),
        ...(shapes.column && { columnGrad: createStorageBuffer(device, size(shapes.column) * 4, 'dCol'), rowGrad: createStorageBuffer(device, size(shapes.row) * 4, 'dRow') }),
      };
      await runtime.run('test', [
        ...composeSteps(spec, buffers, filters, scratch, runtime.target),
        ...composeBackwardSteps(spec, buffers, dW, grads, scratch, runtime.target),
      ]);
      scratch.release();
      const close = (got: ArrayLike<number>, want: ArrayLike<number>) => {
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(want[i]));
      };
      close(await download(device, filters, size(shapes.filters)), composeFilters(spec, weights));
      const want = composeFiltersBackward(spec, weights, dWData);
      for (const [name, buffer] of Object.entries(grads)) {
        const expected = want[name as keyof typeof want]!;
        close(await download(device, buffer, expected.length), expected);
      }
      for (const b of [...Object.values(buffers), filters, dW, ...Object.values(grads)]) b.destroy();
    });
  }
});
