import { conv2d, convGeometry, createRandom, type LayerSpecInput, layerSpec, uniformArray } from '@linearconv/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorageBuffer, download, upload } from './buffers.js';
import { type Activation, convForwardProgram } from './conv-forward.js';
import { convForwardNaiveProgram } from './conv-forward-naive.js';
import { convShape, convSizes } from './conv-shape.js';
import { requestDevice } from './device.js';
import type { Tiles } from './gemm.js';
import { GpuRuntime } from './runtime.js';

let device: GPUDevice;
let runtime: GpuRuntime;
beforeAll(async () => {
  device = await requestDevice();
  runtime = GpuRuntime.for(device);
});
afterAll(() => device?.destroy());

/** Runs the tiled kernel and the one-output-per-invocation oracle on the same data; returns both and the float64 reference. */
async function compare(layer: LayerSpecInput, inputShape: number[], options: { bias?: boolean; activation?: Activation; tiles?: Tiles } = {}) {
  const spec = layerSpec({ ...layer, primaryFilters: 1 });
  const shape = convShape(spec, inputShape);
  const sizes = convSizes(shape);
  const random = createRandom(sizes.input + sizes.filters);
  const x = uniformArray(random, sizes.input, -1, 1);
  const w = uniformArray(random, sizes.filters, -0.5, 0.5);
  const b = uniformArray(random, shape.outChannels, -1, 1);
  const bias = options.bias ?? true;
  const buffers = [upload(device, x), upload(device, w), ...(bias ? [upload(device, b)] : [])];
  const fast = createStorageBuffer(device, sizes.output * 4, 'fast');
  const naive = createStorageBuffer(device, sizes.output * 4, 'naive');
  const program = convForwardProgram(shape, { bias, activation: options.activation, tiles: options.tiles, target: runtime.target });
  await runtime.run('test', [
    { program, buffers: [...buffers, fast] },
    { program: convForwardNaiveProgram(shape, { bias, activation: options.activation }), buffers: [...buffers, naive] },
  ]);
  const result = { key: program.key, fast: await download(device, fast, sizes.output), naive: await download(device, naive, sizes.output) };
  for (const buffer of [...buffers, fast, naive]) buffer.destroy();
  const reference = conv2d({ shape: inputShape, data: x }, { shape: [spec.outChannels, spec.inChannels / spec.groups, ...spec.kernelSize], data: w }, bias ? b : undefined, {
    strides: spec.strides,
    padding: convGeometry(spec, inputShape[2], inputShape[3]).padding,
    dilation: spec.dilation,
    groups: spec.groups,
  }).data;
  const act = options.activation ?? 'none';
  const expected = reference.map((v) => (act === 'relu' ? Math.max(v, 0) : act === 'relu6' ? Math.min(Math.max(v, 0), 6) : v));
  return { ...result, expected };
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

describe('tiled forward conv against the naive oracle and the float64 reference', () => {
  // Each shape is above the specialisation threshold (2^20 multiply-adds) unless named generic.
  const cases: [string, LayerSpecInput, number[], { bias?: boolean; activation?: Activation }?][] = [
    ['3×3 same, every vector path but B', { inChannels: 32, outChannels: 32, kernelSize: 3, padding: 'same' }, [2, 32, 16, 16]],
    ['1×1 stride 1 valid: vector loads of the input', { inChannels: 64, outChannels: 48, kernelSize: 1 }, [4, 64, 12, 12]],
    ['stride 2, dilation 2, asymmetric padding, odd sizes', { inChannels: 19, outChannels: 37, kernelSize: [3, 2], strides: [2, 1], dilation: [2, 1], padding: [2, 0, 1, 3] }, [3, 19, 23, 17]],
    ['valid 5×5 without padding checks, no bias', { inChannels: 24, outChannels: 40, kernelSize: 5 }, [2, 24, 20, 18], { bias: false }],
    ['groups 4 with relu', { inChannels: 32, outChannels: 64, kernelSize: 3, groups: 4, padding: 'same' }, [2, 32, 15, 15], { activation: 'relu' }],
    ['depthwise with relu6', { inChannels: 64, outChannels: 64, kernelSize: 3, groups: 64, padding: 'same' }, [4, 64, 32, 32], { activation: 'relu6' }],
    ['generic (small) pipeline, TF same, relu', { inChannels: 3, outChannels: 5, kernelSize: 4, strides: 2, padding: 'same' }, [2, 3, 9, 7], { activation: 'relu' }],
  ];
  for (const [name, layer, inputShape, options] of cases) {
    it(name, async () => {
      const { key, fast, naive, expected } = await compare(layer, inputShape, options);
      expect(maxError(fast, naive), key).toBeLessThan(1e-3);
      expect(maxError(fast, expected), key).toBeLessThan(1e-3);
      if (name.startsWith('generic')) expect(key).toContain('/dynamic/');
      else expect(key).toMatch(/\/n\d+c\d+h\d+w\d+-f\d+k\d+x\d+/);
    });
  }

  // One test per blocking: each compiles its own pipelines, slow on a software Vulkan driver.
  const blockings: Tiles[] = [
    { bm: 64, bn: 64, bk: 16, tm: 16, tn: 8 },
    { bm: 64, bn: 16, bk: 16, tm: 16, tn: 8 },
    { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 },
    { bm: 32, bn: 32, bk: 8, tm: 4, tn: 4 },
    { bm: 16, bn: 32, bk: 4, tm: 2, tn: 2 },
  ];
  it.each(blockings)('gives the same result under the blocking $bm×$bn×$bk, $tm×$tn per invocation', async (tiles) => {
    const layer = { inChannels: 20, outChannels: 36, kernelSize: 3, padding: 'same' } as const;
    const { key, fast, expected } = await compare(layer, [2, 20, 19, 21], { tiles });
    expect(maxError(fast, expected), key).toBeLessThan(1e-3);
  });
});
