import type { Backend, BackendFactory, BackendGradients } from '@linearconv/conformance';
import { type LayerSpec, type LinearConvWeights, type Tensor, weightShapes } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { input } from '@tensorflow/tfjs-layers';
import { LinearConv2D } from './linear-conv2d.js';
import { correlation } from './regularizers.js';
import { enableWasmTraining } from './wasm-training.js';

/** The tfjs backends the conformance suite and the CLI know, by the name tfjs registers them under. */
export type TfjsBackendName = 'cpu' | 'wasm' | 'webgpu';

/** `tfjs-cpu`, `tfjs-wasm` (with the training kernels) and `tfjs-webgpu` (Dawn in Node). */
export const tfjsBackends: readonly BackendFactory[] = [
  tfjsConformanceBackend('cpu', () => importOptional('@tensorflow/tfjs-backend-cpu')),
  tfjsConformanceBackend('wasm', async () => {
    await importOptional('@tensorflow/tfjs-backend-wasm');
    enableWasmTraining();
  }),
  tfjsConformanceBackend('webgpu', async () => {
    await provideWebGpu();
    await importOptional('@tensorflow/tfjs-backend-webgpu');
  }),
];

/**
 * Gives Node a `navigator.gpu` from Dawn (npm `webgpu`) unless one exists, and checks that it
 * has an adapter: Dawn needs a Vulkan driver (without a GPU, Mesa's lavapipe).
 */
export async function provideWebGpu(): Promise<void> {
  const scope = globalThis as { navigator?: { gpu?: GPU } };
  if (!scope.navigator?.gpu) {
    const dawn = (await importOptional('webgpu')) as { create(flags: string[]): GPU; globals: object };
    Object.assign(globalThis, dawn.globals);
    if (scope.navigator) Object.defineProperty(scope.navigator, 'gpu', { value: dawn.create([]), configurable: true });
    else scope.navigator = { gpu: dawn.create([]) };
  }
  if (!(await scope.navigator!.gpu!.requestAdapter())) {
    throw new Error('no WebGPU adapter: Dawn found no Vulkan driver (install one; bash scripts/setup.sh installs Mesa lavapipe)');
  }
}

async function importOptional(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch (e) {
    throw new Error(`${name} is not installed (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * The LinearConv2D layer as a conformance backend on one tfjs backend: cases arrive NCHW/OIHW
 * and are translated to tfjs's NHWC/HWIO and back; gradients come from tf.grads.
 * `prepare` makes the tfjs backend available (imports it, enables wasm training, …).
 */
export function tfjsConformanceBackend(backendName: TfjsBackendName, prepare: () => Promise<unknown>): BackendFactory {
  return {
    name: `tfjs-${backendName}`,
    async create(): Promise<Backend> {
      await prepare();
      if (!(await tf.setBackend(backendName))) throw new Error(`tfjs backend "${backendName}" failed to initialise`);
      await tf.ready();
      const use = async () => {
        if (tf.getBackend() !== backendName) await tf.setBackend(backendName);
      };
      return {
        name: `tfjs-${backendName}`,
        capabilities: { backward: true, correlation: true, groups: true, dilation: true, lowRank: true },
        tolerance: backendName === 'webgpu' ? { atol: 1e-3, rtol: 1e-3 } : { atol: 1e-4, rtol: 1e-4 },
        async compose(spec, weights) {
          await use();
          return withLayer(spec, weights, async (layer) => download(tf.transpose(layer.composedKernel(), [3, 2, 0, 1])));
        },
        async forward(spec, weights, input) {
          await use();
          return withLayer(spec, weights, async (layer) => {
            const y = tf.tidy(() => tf.transpose(layer.apply(nhwc(input)) as tf.Tensor4D, [0, 3, 1, 2]));
            return { shape: y.shape, data: await download(y) };
          });
        },
        async backward(spec, weights, input, outputGrad) {
          await use();
          return withLayer(spec, weights, (layer) => gradients(layer, input, outputGrad));
        },
        async correlation(primary, primaryCount) {
          await use();
          // The regulariser reads a kernel whose last axis indexes the filters: [D, p].
          const filters = tf.tidy(() => tf.transpose(tf.tensor2d(primary, [primaryCount, primary.length / primaryCount])));
          const regularizer = correlation({ weight: 1, every: 1 });
          const { value, grads } = tf.valueAndGrads((v: tf.Tensor) => regularizer.apply(v))([filters]);
          const result = { value: (await value.data())[0], grad: await download(tf.transpose(grads[0])) };
          tf.dispose([filters, value, grads]);
          return result;
        },
        dispose: () => {},
      };
    },
  };
}

/** A built LinearConv2D holding the case's weights, disposed after `fn`. */
async function withLayer<T>(spec: LayerSpec, weights: LinearConvWeights<Float32Array>, fn: (layer: LinearConv2D) => Promise<T>): Promise<T> {
  // Case files always hold explicit padding [top, bottom, left, right].
  const [top, bottom, left, right] = spec.padding as readonly number[];
  const layer = new LinearConv2D({
    filters: spec.outChannels,
    kernelSize: [...spec.kernelSize],
    strides: [...spec.strides],
    padding: [
      [top, bottom],
      [left, right],
    ],
    dilationRate: [...spec.dilation],
    groups: spec.groups,
    useBias: spec.useBias,
    primaryFilters: spec.primaryFilters,
    coefficients: spec.coefficients,
  });
  // Applying it to a symbolic input builds it the way a model would (and lets it be disposed).
  layer.apply(input({ shape: [null, null, spec.inChannels] }));
  const shapes = weightShapes(spec);
  const values = layer.weights.map((w) => {
    const name = w.originalName.split('/').pop() as 'primary' | 'coefficients' | 'column' | 'row' | 'bias';
    const data = weights[name]!;
    // Primaries arrive OIHW; the layer holds them HWIO like a Conv2D kernel.
    return name === 'primary' ? tf.transpose(tf.tensor4d(data, shapes.primary as [number, number, number, number]), [2, 3, 1, 0]) : tf.tensor(data, w.shape as number[]);
  });
  layer.setWeights(values);
  tf.dispose(values);
  try {
    return await fn(layer);
  } finally {
    layer.dispose();
  }
}

async function gradients(layer: LinearConv2D, input: Tensor<Float32Array>, outputGrad: Tensor<Float32Array>): Promise<BackendGradients> {
  const x = tf.variable(nhwc(input));
  const dy = nhwc(outputGrad);
  const weights = layer.trainableWeights.map((w) => ({ name: w.originalName.split('/').pop()!, variable: w.read() as tf.Variable }));
  const loss = () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar;
  const { value, grads } = tf.variableGrads(loss, [x, ...weights.map((w) => w.variable)]);
  const result: Record<string, unknown> = {};
  for (const { name, variable } of weights) {
    // Primaries back to OIHW.
    const g = grads[variable.name];
    result[`${name}Grad`] = await download(name === 'primary' ? tf.transpose(g, [3, 2, 0, 1]) : g.clone());
  }
  const dx = tf.transpose(grads[x.name], [0, 3, 1, 2]);
  result.inputGrad = { shape: dx.shape, data: await download(dx) };
  tf.dispose([x, dy, value, ...Object.values(grads)]);
  return result as unknown as BackendGradients;
}

function nhwc(t: Tensor<Float32Array>): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(t.data, t.shape as [number, number, number, number]), [0, 2, 3, 1]));
}

async function download(t: tf.Tensor): Promise<Float32Array> {
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}
