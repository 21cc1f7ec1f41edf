import { describe, LinearConvError, requireOptions, requirePositiveInteger } from '@linearconv/core';
import type { LayersModel, layers, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { type ExportMode, requireMode } from './conv.js';
import { type Dim, OnnxGraph } from './graph.js';
import { TO_CHANNELS_FIRST, TO_CHANNELS_LAST } from './layout.js';
import { NameScope, requireName, sanitizeName } from './names.js';
import { type GraphValue, type LayerCall, type LayerWeight, layerTranslations } from './tfjs-layers.js';

export interface ExportModelOptions {
  /** Default 'compact'. */
  readonly mode?: ExportMode;
  /** A static batch size; default dynamic (`batch`). */
  readonly batch?: number;
  /** One per model input, in `model.inputs` order. Default `input` (several: `input_0`, `input_1`, …). */
  readonly inputNames?: readonly string[];
  /** One per model output, in `model.outputs` order. Default `output` (several: `output_0`, …). */
  readonly outputNames?: readonly string[];
  /**
   * The layout of 4-D inputs and outputs: 'nhwc' (the default) as in tfjs, or 'nchw' as in
   * PyTorch. The graph is NCHW inside either way; 'nchw' just leaves out the two transposes.
   */
  readonly layout?: 'nhwc' | 'nchw';
}

/**
 * A TensorFlow.js LayersModel (Sequential or functional) as an ONNX model that computes the same
 * outputs from the same inputs: 4-D inputs and outputs are NHWC, as in tfjs (or NCHW with
 * `layout: 'nchw'`); inside, the graph is NCHW (layout.ts). LinearConv2D layers are exported compact or folded (`mode`).
 * An unsupported layer or setting throws LinearConvError naming the layer and its class.
 */
export function exportModel(model: LayersModel, options?: ExportModelOptions): Uint8Array {
  requireLayersModel(model);
  options = requireOptions('options', options, ['mode', 'batch', 'inputNames', 'outputNames', 'layout']);
  const mode = requireMode(options.mode ?? 'compact');
  const layout = options.layout ?? 'nhwc';
  if (layout !== 'nhwc' && layout !== 'nchw') throw new LinearConvError('options.layout', `must be 'nhwc' or 'nchw', got ${describe(layout)}`);
  const channelsFirst = <T>(dims: T[]): T[] => (dims.length === 4 && layout === 'nchw' ? [dims[0], dims[3], dims[1], dims[2]] : dims);
  const batch: Dim = options.batch === undefined ? 'batch' : requirePositiveInteger('batch', options.batch);
  const inputNames = interfaceNames('inputNames', options.inputNames, model.inputs.length, 'input');
  const outputNames = interfaceNames('outputNames', options.outputNames, model.outputs.length, 'output');
  const graph = new OnnxGraph();

  const values = new Map<number, GraphValue>();
  model.inputs.forEach((t, i) => {
    const dims = t.shape.map((d, axis): Dim => (axis === 0 ? batch : (d ?? `${inputNames[i]}_dim${axis}`)));
    const name = graph.input('inputNames', inputNames[i], channelsFirst(dims));
    const value = t.shape.length === 4 && layout === 'nhwc' ? graph.node('Transpose', [name], `${name}_nchw`, { perm: TO_CHANNELS_FIRST }) : name;
    values.set(t.id, { name: value, shape: t.shape });
  });

  translateLayers(model, graph, mode, values);

  model.outputs.forEach((t, i) => {
    const value = values.get(t.id);
    if (!value) throw new LinearConvError('model', `output ${t.name} cannot be computed from the model's inputs`);
    const name = t.shape.length === 4 && layout === 'nhwc' ? graph.node('Transpose', [value.name], `${outputNames[i]}_nhwc`, { perm: TO_CHANNELS_LAST }) : value.name;
    graph.output('outputNames', name, outputNames[i], channelsFirst(t.shape.map((d, axis) => (axis === 0 ? batch : d))));
  });

  const io = (names: string[], tensors: SymbolicTensor[]) => names.map((n, i) => `${n} ${JSON.stringify(tensors[i].shape)}`).join(', ');
  return graph.encode(
    sanitizeName(model.name),
    `${model.name} from TensorFlow.js, LinearConv ${mode}. Inputs ${io(inputNames, model.inputs)}; outputs ${io(outputNames, model.outputs)}; ${layout === 'nhwc' ? '4-D tensors NHWC (channelsLast) as in tfjs, NCHW inside' : '4-D tensors NCHW (channelsFirst) as in PyTorch, the shapes above in tfjs order'}.`,
    { 'linearconv.mode': mode, 'linearconv.layout': layout.toUpperCase() },
  );
}

/**
 * Translates every layer call once its inputs exist (model.layers is topological; the loop
 * also covers calls it lists out of order). Calls on tensors outside this model never run.
 */
function translateLayers(model: LayersModel, graph: OnnxGraph, mode: ExportMode, values: Map<number, GraphValue>): void {
  const names = new NameScope();
  const pending = model.layers.filter((l) => l.getClassName() !== 'InputLayer').flatMap((layer) => layer.inboundNodes.map((node) => ({ layer, node })));
  const translated = new Set<layers.Layer>();
  for (let progress = true; progress; ) {
    progress = false;
    for (const call of [...pending]) {
      if (!call.node.inputTensors.every((t) => values.has(t.id))) continue;
      pending.splice(pending.indexOf(call), 1);
      progress = true;
      const { layer, node } = call;
      const className = layer.getClassName();
      const label = `${layer.name} (${className})`;
      const fail = (rule: string) => new LinearConvError(label, rule);
      const unsupported = (what: string) => fail(`${what} is not supported`);
      const translation = layerTranslations[className];
      if (!translation) {
        throw fail(`the layer class is not supported (supported: ${Object.keys(layerTranslations).join(', ')})`);
      }
      if (translated.has(layer)) throw unsupported('calling one layer more than once (a shared layer)');
      if (node.outputTensors.length !== 1) throw unsupported('a layer with several outputs');
      translated.add(layer);
      const output = node.outputTensors[0];
      const layerCall: LayerCall = {
        graph,
        mode,
        label,
        hint: names.unique(layer.name),
        config: layer.getConfig(),
        inputs: node.inputTensors.map((t) => values.get(t.id)!),
        outputShape: output.shape,
        weight: (name) => weightOf(layer, name),
        fail,
        unsupported,
      };
      values.set(output.id, { name: translateNamed(translation, layerCall), shape: output.shape });
    }
  }
}

/** Runs a translation; a LinearConvError from core that does not name the layer yet is made to. */
function translateNamed(translation: (call: LayerCall) => string, call: LayerCall): string {
  try {
    return translation(call);
  } catch (e) {
    if (e instanceof LinearConvError && e.field !== call.label) throw call.fail(`${e.field}: ${e.rule}`);
    throw e;
  }
}

function weightOf(layer: layers.Layer, name: string): LayerWeight | undefined {
  const variable = layer.weights.find((w) => w.originalName.split('/').pop() === name);
  if (!variable) return undefined;
  return { shape: variable.shape as number[], data: variable.read().dataSync() as Float32Array };
}

/** A built tfjs LayersModel (tf.model, or tf.sequential with the first layer's inputShape). */
function requireLayersModel(model: LayersModel): void {
  const m = model as Partial<LayersModel> | null;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.inputs) || !Array.isArray(m.outputs) || !Array.isArray(m.layers)) {
    throw new LinearConvError('model', `must be a tfjs LayersModel (tf.model or tf.sequential), got ${describe(model)}`);
  }
  if (m.inputs.length === 0 || m.outputs.length === 0) {
    throw new LinearConvError('model', 'has no inputs or outputs: give its first layer an inputShape (or use tf.model with tf.input)');
  }
}

function interfaceNames(field: string, given: readonly string[] | undefined, count: number, base: string): string[] {
  if (given === undefined) return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}_${i}`);
  if (!Array.isArray(given) || given.length !== count) {
    throw new LinearConvError(field, `must list ${count} name(s), one per model ${base}, got ${describe(given)}`);
  }
  return given.map((n, i) => requireName(`${field}[${i}]`, n));
}
