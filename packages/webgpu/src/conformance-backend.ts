/// <reference lib="dom" preserve="true" />
import { type Backend, type BackendFactory, type BackendGradients, TOLERANCES } from '@linearconv/conformance';
import { type LayerSpec, type LinearConvWeights, sizeOf, type Tensor, weightShapes } from '@linearconv/core';
import { download, upload } from './buffers.js';
import { correlationSteps } from './correlation.js';
import { requestDevice } from './device.js';
import { LinearConvLayer } from './layer.js';
import { prepareLayer } from './prepared-layer.js';
import { GpuRuntime } from './runtime.js';
import { Scratch } from './scratch.js';

/** `webgpu`: this package's kernels on a device from `requestDevice()` (Dawn in Node). */
export const webgpuBackends: readonly BackendFactory[] = [{ name: 'webgpu', create: () => webgpuBackend() }];

/**
 * For a page: `webgpu`, this package's kernels on `navigator.gpu` (the same backend as in Node,
 * where the Node build gives it Dawn). A function, as the other adapters' browser lists are.
 */
export function webgpuBrowserBackends(): BackendFactory[] {
  return [...webgpuBackends];
}

/** `WebGPU: google swiftshader (…)`: the adapter's vendor, architecture and description. */
function adapterText(info: Partial<Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'description'>> | undefined): string {
  const named = [info?.vendor, info?.architecture].filter(Boolean).join(' ');
  const text = [named, info?.description ? `(${info.description})` : ''].filter(Boolean).join(' ');
  return `WebGPU: ${text || 'adapter without info'}`;
}

/**
 * The conformance backend over a device (a new one from `requestDevice()` by default, destroyed
 * by `dispose`; a given one is left alone). Every check builds a LinearConvLayer, uploads the
 * case, downloads the results and disposes the layer.
 */
export async function webgpuBackend(device?: GPUDevice): Promise<Backend> {
  const owned = device === undefined;
  const gpu = device ?? (await requestDevice({ label: 'linearconv conformance' }));
  const withLayer = async <T>(spec: LayerSpec, weights: LinearConvWeights<Float32Array>, fn: (layer: LinearConvLayer) => Promise<T>) => {
    const layer = new LinearConvLayer(gpu, spec, weights);
    try {
      return await fn(layer);
    } finally {
      layer.dispose();
    }
  };
  const withBuffers = async <T>(buffers: GPUBuffer[], fn: () => Promise<T>) => {
    try {
      return await fn();
    } finally {
      for (const b of buffers) b.destroy();
    }
  };
  return {
    name: 'webgpu',
    // GPUDevice.adapterInfo: the adapter the device came from (older implementations lack it).
    adapter: adapterText((gpu as { adapterInfo?: GPUAdapterInfo }).adapterInfo),
    capabilities: { backward: true, correlation: true, groups: true, dilation: true, lowRank: true },
    tolerance: TOLERANCES.gpu,
    // Buffers are rounded up to 16 bytes: every download reads exactly the tensor's length.
    compose: (spec, weights) =>
      withLayer(spec, weights, async (layer) => download(gpu, await layer.filters(), sizeOf(weightShapes(spec).filters))),
    forward: (spec, weights, input) =>
      withLayer(spec, weights, async (layer) => {
        const x = upload(gpu, input.data, 'input');
        const y = await withBuffers([x], () => layer.forward(x, input.shape));
        const shape = layer.outputShape(input.shape);
        return { shape, data: await withBuffers([y], () => download(gpu, y, sizeOf(shape))) };
      }),
    backward: (spec, weights, input, outputGrad) =>
      withLayer(spec, weights, async (layer) => {
        const x = upload(gpu, input.data, 'input');
        const dy = upload(gpu, outputGrad.data, 'outputGrad');
        const grads = await withBuffers([x, dy], () => layer.backward(x, input.shape, dy));
        return withBuffers(Object.values(grads), async () => {
          const result: Record<string, unknown> = {};
          for (const [name, buffer] of Object.entries(grads)) {
            const like = name === 'inputGrad' ? input.data : weights[name.replace(/Grad$/, '') as keyof LinearConvWeights]!;
            result[name] = await download(gpu, buffer, like.length);
          }
          result.inputGrad = { shape: [...input.shape], data: result.inputGrad as Float32Array } satisfies Tensor;
          return result as unknown as BackendGradients;
        });
      }),
    async correlation(primary, primaryCount) {
      const runtime = GpuRuntime.for(gpu);
      const d = primary.length / primaryCount;
      const scratch = new Scratch(gpu);
      const x = scratch.buffer(primary.length, 'primary');
      const value = scratch.buffer(1, 'value');
      const grad = scratch.buffer(primary.length, 'grad');
      gpu.queue.writeBuffer(x, 0, primary.buffer, primary.byteOffset, primary.byteLength);
      try {
        await runtime.run('correlation', correlationSteps(x, primaryCount, d, { value, grad }, scratch, runtime.target));
        return { value: (await download(gpu, value, 1))[0], grad: await download(gpu, grad, primary.length) };
      } finally {
        scratch.release();
      }
    },
    prepare: (spec, weights, inputShape, { plain }) => prepareLayer(gpu, spec, weights, inputShape, plain),
    dispose() {
      if (owned) gpu.destroy();
    },
  };
}
