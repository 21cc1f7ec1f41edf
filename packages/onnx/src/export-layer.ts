import { checkWeights, convGeometry, describe, type LayerSpec, layerSpec, LinearConvError, type LinearConvWeights, requireBoolean, requireObject, requireOptions, requirePositiveInteger, weightShapes } from '@linearconv/core';
import { type ExportMode, linearConvNode, onnxPads, requireMode } from './conv.js';
import { type Dim, OnnxGraph } from './graph.js';
import { requireName } from './names.js';

export interface ExportLayerOptions {
  /** Default 'compact'. */
  readonly mode?: ExportMode;
  /** A static batch size; default dynamic (`batch`). */
  readonly batch?: number;
  /** A static [height, width]; default dynamic (`height`, `width`). 'same' padding needs it. */
  readonly inputSize?: readonly [number, number];
  /** Default `input`. */
  readonly inputName?: string;
  /** Default `output`. */
  readonly outputName?: string;
  /** Also output the composed bank W as `filters` ([F, C/g, kh, kw]), as ONNX Runtime computes it. */
  readonly filtersOutput?: boolean;
}

/**
 * One LinearConv layer as an ONNX model: input NCHW [N, C, H, W], output NCHW [N, F, H', W'].
 * Throws LinearConvError for a bad spec, weights or option; nothing is built then.
 */
export function exportLayer(spec: LayerSpec, weights: LinearConvWeights, options?: ExportLayerOptions): Uint8Array {
  requireObject('spec', spec, "a layer spec (core's layerSpec)");
  const checked = layerSpec(spec);
  requireObject('weights', weights, '{ primary, coefficients | column and row, bias }');
  checkWeights(checked, weights);
  options = requireOptions('options', options, ['mode', 'batch', 'inputSize', 'inputName', 'outputName', 'filtersOutput']);
  const filtersOutput = requireBoolean('filtersOutput', options.filtersOutput);
  const mode = requireMode(options.mode ?? 'compact');
  const batch: Dim = options.batch === undefined ? 'batch' : requirePositiveInteger('batch', options.batch);
  const [height, width] = inputSize(options.inputSize);
  const inputName = requireName('inputName', options.inputName ?? 'input');
  const outputName = requireName('outputName', options.outputName ?? 'output');
  const pads = onnxPads(checked, height, width, 'padding');

  const graph = new OnnxGraph();
  const x = graph.input('inputName', inputName, [batch, checked.inChannels, height ?? 'height', width ?? 'width']);
  const { output: y, filters } = linearConvNode(graph, 'layer', x, checked, weights, mode, pads);
  const out = height === null || width === null ? null : convGeometry(checked, height, width);
  graph.output('outputName', y, outputName, [batch, checked.outChannels, out?.outHeight ?? null, out?.outWidth ?? null]);
  if (filtersOutput) graph.output('filtersOutput', filters, 'filters', weightShapes(checked).filters);
  return graph.encode('linearconv_layer', `One LinearConv layer (${mode}): ${inputName} NCHW → ${outputName} NCHW.`, {
    'linearconv.mode': mode,
    'linearconv.layout': 'NCHW',
  });
}

function inputSize(size: readonly [number, number] | undefined): [number | null, number | null] {
  if (size === undefined) return [null, null];
  if (!Array.isArray(size) || size.length !== 2) {
    throw new LinearConvError('inputSize', `must be [height, width], got ${describe(size)}`);
  }
  return [requirePositiveInteger('inputSize[0]', size[0]), requirePositiveInteger('inputSize[1]', size[1])];
}
