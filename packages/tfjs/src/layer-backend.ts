import { type Backend, type BackendFactory, type BackendGradients, type PreparedLayer, TOLERANCES } from '@linearconv/conformance';
import { type LayerSpec, LinearConvError, type LinearConvWeights, outputShape, type Tensor, weightShapes } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { input, type LayersModel, model } from '@tensorflow/tfjs-layers';
import { tfjsAdapter } from './backend-adapter.js';
import type { ExplicitPadding2D } from './conv-layer.js';
import { foldModel } from './fold.js';
import { LinearConv2D } from './linear-conv2d.js';
import { correlation } from './regularizers.js';

/** The tfjs backends the conformance suite, the CLI and the lab know, by the name tfjs registers them under. */
export type TfjsBackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

/**
 * The LinearConv2D layer as a conformance backend on one tfjs backend: cases arrive NCHW/OIHW
 * and are translated to tfjs's NHWC/HWIO and back; gradients come from tf.grads.
 * `prepare` makes the tfjs backend available (imports it, enables wasm training, …); `adapter`
 * says what the backend runs on (see tfjsAdapter).
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
      const adapter = await tfjsAdapter(backendName);
      return {
        name: `tfjs-${backendName}`,
        adapter,
        capabilities: { backward: true, correlation: true, groups: true, dilation: true, lowRank: true },
        // GPUs may reorder sums and use fused multiply-add or relaxed precision.
        tolerance: backendName === 'webgpu' || backendName === 'webgl' ? TOLERANCES.gpu : TOLERANCES.float32,
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
        async prepare(spec, weights, inputShape, { plain }) {
          await use();
          return preparedLayer(spec, weights, inputShape, plain, use);
        },
        dispose: () => {},
      };
    },
  };
}

/** A built LinearConv2D holding the case's weights, disposed after `fn`. */
async function withLayer<T>(spec: LayerSpec, weights: LinearConvWeights<Float32Array>, fn: (layer: LinearConv2D) => Promise<T>): Promise<T> {
  const layer = new LinearConv2D(layerArgs(spec));
  // Applying it to a symbolic input builds it the way a model would (and lets it be disposed).
  layer.apply(input({ shape: [null, null, spec.inChannels] }));
  setLayerWeights(layer, spec, weights);
  try {
    return await fn(layer);
  } finally {
    layer.dispose();
  }
}

/**
 * A one-layer model for repeated predictions on inputs of `inputShape` (NCHW): the LinearConv2D,
 * or with `plain`, what `foldModel` makes of it (Conv2D, DepthwiseConv2D or GroupedConv2D holding
 * the composed kernel). Each run uploads the input, changes its layout to NHWC and back, predicts
 * and downloads: the same work for both variants, so their ratio is the layer's alone.
 */
async function preparedLayer(
  spec: LayerSpec,
  weights: LinearConvWeights<Float32Array>,
  inputShape: readonly number[],
  plain: boolean,
  use: () => Promise<void>,
): Promise<PreparedLayer> {
  outputShape(spec, inputShape);
  const [batch, channels, height, width] = inputShape;
  const layer = new LinearConv2D(layerArgs(spec));
  const x = input({ batchShape: [batch, height, width, channels] });
  const linear = model({ inputs: x, outputs: layer.apply(x) as ReturnType<typeof input> });
  let runnable: LayersModel;
  try {
    setLayerWeights(layer, spec, weights);
    runnable = plain ? await foldModel(linear) : linear;
  } catch (e) {
    linear.dispose();
    throw e;
  }
  if (runnable !== linear) linear.dispose();
  return {
    async run(t) {
      if (t.shape.length !== 4 || t.shape.some((d, i) => d !== inputShape[i])) {
        throw new LinearConvError('input.shape', `must be [${inputShape.join(', ')}] as prepared, got [${t.shape.join(', ')}]`);
      }
      await use();
      const y = tf.tidy(() => tf.transpose(runnable.predict(nhwc(t)) as tf.Tensor4D, [0, 3, 1, 2]));
      return { shape: y.shape, data: await download(y) };
    },
    dispose: () => {
      runnable.dispose();
    },
  };
}

function layerArgs(spec: LayerSpec): ConstructorParameters<typeof LinearConv2D>[0] {
  const p = spec.padding;
  const padding: 'same' | 'valid' | ExplicitPadding2D = typeof p === 'string' ? p : [[p[0], p[1]], [p[2], p[3]]];
  return {
    filters: spec.outChannels,
    kernelSize: [...spec.kernelSize],
    strides: [...spec.strides],
    padding,
    dilationRate: [...spec.dilation],
    groups: spec.groups,
    useBias: spec.useBias,
    primaryFilters: spec.primaryFilters,
    coefficients: spec.coefficients,
  };
}

/** Stores core's weights in a built LinearConv2D. */
function setLayerWeights(layer: LinearConv2D, spec: LayerSpec, weights: LinearConvWeights<Float32Array>): void {
  const shapes = weightShapes(spec);
  const values = tf.tidy(() =>
    layer.weights.map((w) => {
      const name = w.originalName.split('/').pop() as 'primary' | 'coefficients' | 'column' | 'row' | 'bias';
      const data = weights[name]!;
      // Primaries arrive OIHW; the layer holds them HWIO like a Conv2D kernel.
      return name === 'primary' ? tf.transpose(tf.tensor4d(data, shapes.primary as [number, number, number, number]), [2, 3, 1, 0]) : tf.tensor(data, w.shape as number[]);
    }),
  );
  layer.setWeights(values);
  tf.dispose(values);
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
