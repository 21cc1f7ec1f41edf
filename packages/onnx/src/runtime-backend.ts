import { type Backend, type BackendFactory, type PreparedLayer, TOLERANCES } from '@linearconv/conformance';
import { type LayerSpec, LinearConvError, type LinearConvWeights, outputShape } from '@linearconv/core';
import type { InferenceSession } from 'onnxruntime-common';
import type { ExportMode } from './conv.js';
import { exportLayer } from './export-layer.js';
import { type OnnxRuntime, runModel } from './onnx-runtime.js';

/** An ONNX Runtime ready for sessions, and what it runs them on (see Backend.adapter). */
export interface LoadedRuntime {
  readonly runtime: OnnxRuntime;
  readonly adapter: string;
  /** A GPU execution provider: the gpu tolerance instead of float32's. */
  readonly gpu?: boolean;
}

/**
 * A LinearConv layer exported with exportLayer (`mode`) and run by the ONNX Runtime `load`
 * gives. Filters come from the exported model's `filters` output as ONNX Runtime computes it:
 * built in-graph (compact) or read from the stored bank (folded). Exports are inference-only.
 */
export function onnxRuntimeBackend(name: string, mode: ExportMode, load: () => Promise<LoadedRuntime>): BackendFactory {
  return {
    name,
    async create(): Promise<Backend> {
      const { runtime: ort, adapter, gpu } = await load();
      return {
        name,
        adapter,
        capabilities: {
          backward: 'an exported ONNX model is inference-only: it holds no gradients',
          correlation: 'the correlation regulariser is a training loss; an exported model does not carry it',
          groups: true,
          dilation: true,
          lowRank: true,
        },
        tolerance: gpu ? TOLERANCES.gpu : TOLERANCES.float32,
        async compose(spec, weights) {
          // The smallest input the kernel fits (padding only adds room): the output is not read.
          const [height, width] = [0, 1].map((i) => (spec.kernelSize[i] - 1) * spec.dilation[i] + 1);
          const model = exportLayer(spec, weights, { mode, batch: 1, inputSize: [height, width], filtersOutput: true });
          const input = new Float32Array(spec.inChannels * height * width);
          return (await runModel(ort, model, { input: { shape: [1, spec.inChannels, height, width], data: input } })).filters.data;
        },
        async forward(spec, weights, input) {
          const [batch, , height, width] = input.shape;
          const model = exportLayer(spec, weights, { mode, batch, inputSize: [height, width] });
          return (await runModel(ort, model, { input })).output;
        },
        // The plain baseline is the folded export: a model holding only a Conv of the composed filters.
        prepare: (spec, weights, inputShape, { plain }) => preparedLayer(ort, spec, weights, inputShape, plain ? 'folded' : mode),
        dispose: () => {},
      };
    },
  };
}

/**
 * `runtime` whose sessions get `options` (execution providers, say) under the caller's own:
 * runModel and the prepared layers create sessions without options.
 */
export function withSessionOptions(runtime: OnnxRuntime, options: InferenceSession.SessionOptions): OnnxRuntime {
  const create = (model: Uint8Array, own?: InferenceSession.SessionOptions) => runtime.InferenceSession.create(model, { ...options, ...own });
  return { Tensor: runtime.Tensor, InferenceSession: { create } as unknown as OnnxRuntime['InferenceSession'] };
}

/**
 * One session over the layer exported for `inputShape` (static shapes), created once: with the
 * default graph optimisation, a compact model's filters are composed at creation (constant
 * folding), so runs time the conv alone, as for the folded model.
 */
async function preparedLayer(
  ort: OnnxRuntime,
  spec: LayerSpec,
  weights: LinearConvWeights<Float32Array>,
  inputShape: readonly number[],
  mode: ExportMode,
): Promise<PreparedLayer> {
  outputShape(spec, inputShape);
  const [batch, , height, width] = inputShape;
  const session = await ort.InferenceSession.create(exportLayer(spec, weights, { mode, batch, inputSize: [height, width] }));
  return {
    async run(input) {
      if (input.shape.length !== 4 || input.shape.some((d, i) => d !== inputShape[i])) {
        throw new LinearConvError('input.shape', `must be [${inputShape.join(', ')}] as prepared, got [${input.shape.join(', ')}]`);
      }
      const { output } = await session.run({ input: new ort.Tensor('float32', input.data, [...input.shape]) });
      return { shape: output.dims.map(Number), data: output.data as Float32Array };
    },
    dispose: () => session.release(),
  };
}
