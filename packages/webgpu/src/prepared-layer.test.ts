import { createRandom, initialWeights, layerSpec, linearConvForward, uniformArray } from '@linearconv/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackBuffers } from './buffer-tracker.js';
import { requestDevice } from './device.js';
import { prepareLayer } from './prepared-layer.js';

let device: GPUDevice;
beforeAll(async () => {
  device = await requestDevice();
});
afterAll(() => device?.destroy());

describe('prepareLayer (what the benchmarks time)', () => {
  for (const plain of [false, true]) {
    it(`${plain ? 'plain conv over the composed filters' : 'LinearConv'}: runs repeatedly, matches core, releases everything`, async () => {
      const tracker = trackBuffers(device);
      try {
        const spec = layerSpec({ inChannels: 6, outChannels: 10, kernelSize: 3, padding: 'same', coefficients: { kind: 'lowRank', rank: 3 } });
        const weights = initialWeights(spec, createRandom(1));
        const prepared = await prepareLayer(device, spec, weights, [2, 6, 7, 7], plain);
        for (const seed of [2, 3]) {
          const input = { shape: [2, 6, 7, 7], data: uniformArray(createRandom(seed), 2 * 6 * 49, -1, 1) };
          const got = await prepared.run(input);
          const want = linearConvForward(spec, weights, input);
          expect(got.shape).toEqual(want.shape);
          for (let i = 0; i < want.data.length; i++) expect(Math.abs(got.data[i] - want.data[i])).toBeLessThan(1e-4);
        }
        await expect(prepared.run({ shape: [1, 6, 7, 7], data: new Float32Array(294) })).rejects.toThrow(/^input.shape: must be \[2, 6, 7, 7\] as prepared/);
        await prepared.dispose();
        expect(tracker.liveLabels).toEqual([]);
      } finally {
        tracker.stop();
      }
    });
  }
});
