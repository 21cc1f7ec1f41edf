import { type Backend, type BackendFactory, TOLERANCES } from '@linearconv/conformance';
import type { ExportMode } from './conv.js';
import { exportLayer } from './export-layer.js';
import { loadOnnxRuntime, runModel } from './onnx-runtime.js';

/** `onnx-wasm-compact` and `onnx-wasm-folded`: exported layers run by onnxruntime-web's wasm backend. */
export const onnxBackends: readonly BackendFactory[] = [onnxConformanceBackend('compact'), onnxConformanceBackend('folded')];

/**
 * A LinearConv layer exported with exportLayer (`mode`) and run by onnxruntime-web (wasm).
 * Filters come from the exported model's `filters` output as ONNX Runtime computes it: built
 * in-graph (compact) or read from the stored bank (folded). Exports are inference-only.
 */
export function onnxConformanceBackend(mode: ExportMode): BackendFactory {
  const name = `onnx-wasm-${mode}`;
  return {
    name,
    async create(): Promise<Backend> {
      const ort = await loadOnnxRuntime('web');
      return {
        name,
        capabilities: {
          backward: 'an exported ONNX model is inference-only: it holds no gradients',
          correlation: 'the correlation regulariser is a training loss; an exported model does not carry it',
          groups: true,
          dilation: true,
          lowRank: true,
        },
        tolerance: TOLERANCES.float32,
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
        dispose: () => {},
      };
    },
  };
}
