import { correlationLoss, createRandom, LinearConvError, orthogonalityLoss, uniformArray } from '@linearconv/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, upload } from './buffers.js';
import { correlationSteps } from './correlation.js';
import { requestDevice } from './device.js';
import { orthogonalitySteps } from './orthogonality.js';
import { GpuRuntime } from './runtime.js';
import { Scratch } from './scratch.js';

let device: GPUDevice;
beforeAll(async () => {
  device = await requestDevice();
});
afterAll(() => device?.destroy());

async function onGpu(steps: typeof correlationSteps, primary: Float32Array, p: number) {
  const runtime = GpuRuntime.for(device);
  const scratch = new Scratch(device);
  const x = upload(device, primary);
  const value = scratch.buffer(1, 'value');
  const grad = scratch.buffer(primary.length, 'grad');
  try {
    await runtime.run('test', steps(x, p, primary.length / p, { value, grad }, scratch, runtime.target));
    return { value: (await download(device, value, 1))[0], grad: await download(device, grad, primary.length) };
  } finally {
    scratch.release();
    x.destroy();
  }
}

function expectClose(got: { value: number; grad: ArrayLike<number> }, want: { value: number; grad: ArrayLike<number> }) {
  expect(Math.abs(got.value - want.value)).toBeLessThanOrEqual(1e-3 + 1e-3 * Math.abs(want.value));
  for (let i = 0; i < want.grad.length; i++) expect(Math.abs(got.grad[i] - want.grad[i])).toBeLessThanOrEqual(1e-3 + 1e-3 * Math.abs(want.grad[i]));
}

describe('regularisers on the GPU, against core', () => {
  const random = createRandom(7);
  const wide = uniformArray(random, 32 * 576, -0.1, 0.1); // a VGG-sized layer's primaries
  const special = uniformArray(random, 5 * 18, -1, 1);
  special.fill(0.25, 18, 36); // row 1 constant: zero variance
  special.copyWithin(54, 36, 54); // rows 2 and 3 equal: |C| = 1, clamped
  for (let k = 72; k < 90; k++) special[k] = -2 * special[k - 36]; // row 4 = −2 · row 2: C = −1

  for (const [name, loss, steps] of [
    ['correlation', correlationLoss, correlationSteps],
    ['orthogonality', orthogonalityLoss, orthogonalitySteps],
  ] as const) {
    it(`${name}: value and gradient of 32 filters of length 576`, async () => {
      expectClose(await onGpu(steps, wide, 32), loss(wide, 32));
    });
    it(`${name}: a constant filter, equal and opposite filters (zero-variance guard, clamp)`, async () => {
      const got = await onGpu(steps, special, 5);
      expect(Number.isFinite(got.value)).toBe(true);
      expectClose(got, loss(special, 5));
    });
    it(`${name}: one primary`, async () => {
      expectClose(await onGpu(steps, special.subarray(0, 18), 1), loss(special.subarray(0, 18), 1));
    });
  }

  it('refuses filters of length 1 for the correlation, as core does', () => {
    const scratch = new Scratch(device);
    expect(() => correlationSteps(undefined as never, 4, 1, undefined as never, scratch)).toThrow(LinearConvError);
    expect(() => correlationSteps(undefined as never, 4, 1, undefined as never, scratch)).toThrow(/^primary: filters of length 1 have no sample correlation/);
    scratch.release();
  });
});
