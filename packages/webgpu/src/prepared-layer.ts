import type { PreparedLayer } from '@linearconv/conformance';
import { LinearConvError, type LayerSpec, type LinearConvWeights } from '@linearconv/core';
import { createStorageBuffer, download, upload, write } from './buffers.js';
import { conv2dStep } from './conv2d.js';
import { convShape, convSizes } from './conv-shape.js';
import { LinearConvLayer } from './layer.js';
import { GpuRuntime } from './runtime.js';

/**
 * A layer on `device` for repeated forward passes on inputs of `inputShape` (NCHW), what the
 * benchmarks time: a LinearConvLayer (W composed on the first run and reused), or with `plain`,
 * one conv step over W composed once here and held in a buffer of its own, as a plain conv holds
 * its filters. Input and output buffers are allocated once; each run writes the input, runs the
 * layer and downloads the output.
 */
export async function prepareLayer(
  device: GPUDevice,
  spec: LayerSpec,
  weights: LinearConvWeights<Float32Array>,
  inputShape: readonly number[],
  plain: boolean,
): Promise<PreparedLayer> {
  const shape = convShape(spec, inputShape);
  const sizes = convSizes(shape);
  const outShape = [shape.batch, shape.outChannels, shape.outHeight, shape.outWidth];
  const owned: GPUBuffer[] = [];
  let layer: LinearConvLayer | undefined = new LinearConvLayer(device, spec, weights, { label: plain ? 'plain' : 'prepared' });
  const release = () => {
    layer?.dispose();
    layer = undefined;
    for (const b of owned.splice(0)) b.destroy();
  };
  try {
    const input = createStorageBuffer(device, sizes.input * 4, 'prepared input', 'input');
    owned.push(input);
    const output = createStorageBuffer(device, sizes.output * 4, 'prepared output', 'output');
    owned.push(output);
    let forward: () => Promise<unknown>;
    if (plain) {
      const filters = upload(device, await download(device, await layer.filters(), sizes.filters), 'plain filters');
      owned.push(filters);
      const bias = weights.bias && upload(device, weights.bias, 'plain bias');
      if (bias) owned.push(bias);
      layer.dispose();
      layer = undefined;
      const runtime = GpuRuntime.for(device);
      const step = conv2dStep(shape, { input, filters, bias, output }, 'none', runtime.target);
      forward = () => runtime.run('plain conv', [step]);
    } else {
      const linear = layer;
      forward = () => linear.forward(input, inputShape, output);
    }
    return {
      async run(x) {
        if (x.shape.length !== 4 || x.shape.some((d, i) => d !== inputShape[i])) {
          throw new LinearConvError('input.shape', `must be [${inputShape.join(', ')}] as prepared, got [${x.shape.join(', ')}]`);
        }
        write(device, input, x.data, 0, 'input');
        await forward();
        return { shape: outShape, data: await download(device, output, sizes.output) };
      },
      dispose: release,
    };
  } catch (e) {
    release();
    throw e;
  }
}
