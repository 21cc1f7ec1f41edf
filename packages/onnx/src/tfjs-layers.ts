import { type Coefficients, type ExplicitPadding, type LinearConvError, layerSpec, type Pair } from '@linearconv/core';
import { activationNode, SUPPORTED_ACTIVATIONS } from './activations.js';
import { type ConvOp, convNode, type ExportMode, linearConvNode, onnxPads } from './conv.js';
import type { OnnxGraph } from './graph.js';
import { graphAxis, hwioToOihw, TO_CHANNELS_FIRST, TO_CHANNELS_LAST } from './layout.js';

/** A tfjs tensor as the graph holds it: `shape` is tfjs's; rank-4 values are NCHW in the graph. */
export interface GraphValue {
  readonly name: string;
  readonly shape: readonly (number | null)[];
}

/** A layer's weight in tfjs's layout. */
export interface LayerWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** What a translation sees of one call of one tfjs layer. */
export interface LayerCall {
  readonly graph: OnnxGraph;
  readonly mode: ExportMode;
  /** `name (ClassName)`: how errors name the layer. */
  readonly label: string;
  /** The layer's name, sanitised: the prefix of every name it adds. */
  readonly hint: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly inputs: readonly GraphValue[];
  readonly outputShape: readonly (number | null)[];
  /** The weight `name` (the part after the layer's `/`: kernel, bias, primary, gamma, …). */
  weight(name: string): LayerWeight | undefined;
  /** A LinearConvError naming the layer and its class, with `rule`. */
  fail(rule: string): LinearConvError;
  /** fail("`what` is not supported"). */
  unsupported(what: string): LinearConvError;
}

type Translation = (call: LayerCall) => string;

/** The tfjs layer classes an export translates, by class name. */
export const layerTranslations: Readonly<Record<string, Translation>> = {
  Conv2D: (c) => plainConv(c, 1),
  GroupedConv2D: (c) => plainConv(c, c.config.groups as number),
  LinearConv2D: linearConv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  Dense: dense,
  BatchNormalization: batchNormalization,
  Activation: (c) => activation(c, c.inputs[0].name, c.config.activation),
  ReLU: (c) => {
    const max = c.config.maxValue as number | null | undefined;
    const x = c.inputs[0].name;
    return max == null ? c.graph.node('Relu', [x], c.hint) : c.graph.node('Clip', [x, c.graph.scalar(0), c.graph.scalar(max)], c.hint);
  },
  ELU: (c) => c.graph.node('Elu', [c.inputs[0].name], c.hint, { alpha: { float: (c.config.alpha as number | undefined) ?? 1 } }),
  Softmax: (c) => c.graph.node('Softmax', [c.inputs[0].name], c.hint, { axis: graphAxis(c.config.axis as number, c.inputs[0].shape.length) }),
  MaxPooling2D: (c) => pool(c, 'MaxPool', {}),
  // tfjs averages over the window's cells inside the input only, as count_include_pad = 0 does.
  AveragePooling2D: (c) => pool(c, 'AveragePool', { count_include_pad: 0 }),
  GlobalAveragePooling2D: (c) => globalPool(c, 'GlobalAveragePool'),
  GlobalMaxPooling2D: (c) => globalPool(c, 'GlobalMaxPool'),
  Flatten: flatten,
  Dropout: (c) => c.inputs[0].name,
  Add: add,
  Concatenate: (c) => {
    const rank = c.outputShape.length;
    return c.graph.node('Concat', c.inputs.map((v) => v.name), c.hint, { axis: graphAxis((c.config.axis as number | undefined) ?? -1, rank) });
  },
  ZeroPadding2D: (c) => {
    channelsLast(c);
    const [[top, bottom], [left, right]] = c.config.padding as [Pair, Pair];
    return c.graph.node('Pad', [c.inputs[0].name, c.graph.int64s(`${c.hint}_pads`, [0, 0, top, left, 0, 0, bottom, right])], c.hint);
  },
  Reshape: reshape,
};

function channelsLast(c: LayerCall): void {
  if (c.config.dataFormat === 'channelsFirst') throw c.unsupported("dataFormat 'channelsFirst' (export channelsLast models)");
}

function activation(c: LayerCall, x: string, name: unknown): string {
  const rank = c.outputShape.length;
  const y = activationNode(c.graph, `${c.hint}_${String(name)}`, x, String(name), rank);
  if (y === undefined) throw c.unsupported(`activation '${String(name)}' (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`);
  return y;
}

/** The conv geometry from a tfjs conv config: padding 'same', 'valid' or [[top, bottom], [left, right]]. */
function convOp(c: LayerCall): ConvOp {
  channelsLast(c);
  const padding = c.config.padding;
  if (padding !== 'same' && padding !== 'valid' && !Array.isArray(padding)) throw c.unsupported(`padding ${JSON.stringify(padding)}`);
  const explicit = Array.isArray(padding) ? ((padding as Pair[]).flat() as unknown as ExplicitPadding) : padding;
  return {
    kernelSize: c.config.kernelSize as Pair,
    strides: c.config.strides as Pair,
    dilation: (c.config.dilationRate as Pair | undefined) ?? [1, 1],
    padding: explicit,
  };
}

function padsOf(c: LayerCall, op: ConvOp): number[] {
  const [, height, width] = c.inputs[0].shape;
  return onnxPads(op, height, width, 'padding');
}

function bias(c: LayerCall): string | undefined {
  const b = c.weight('bias');
  return b ? c.graph.floats(`${c.hint}_bias`, b.shape, b.data) : undefined;
}

/** Conv2D and GroupedConv2D: kernel [kh, kw, C/groups, F]. */
function plainConv(c: LayerCall, groups: number): string {
  const op = convOp(c);
  const kernel = c.weight('kernel')!;
  const [kh, kw, cg, f] = kernel.shape;
  const filters = c.graph.floats(`${c.hint}_filters`, [f, cg, kh, kw], hwioToOihw(kernel.data, kernel.shape));
  const y = convNode(c.graph, c.hint, c.inputs[0].name, filters, bias(c), { ...op, groups }, padsOf(c, op));
  return activation(c, y, c.config.activation);
}

/** LinearConv2D: core's spec from the layer's config, primaries [kh, kw, C/g, p] as OIHW. */
function linearConv2d(c: LayerCall): string {
  const op = convOp(c);
  const spec = layerSpec({
    ...op,
    inChannels: c.inputs[0].shape[3] as number,
    outChannels: c.config.filters as number,
    groups: c.config.groups as number,
    useBias: c.config.useBias as boolean,
    primaryFilters: c.config.primaryFilters as number,
    coefficients: c.config.coefficients as Coefficients,
  });
  const primary = c.weight('primary')!;
  const weights = {
    primary: hwioToOihw(primary.data, primary.shape),
    coefficients: c.weight('coefficients')?.data,
    column: c.weight('column')?.data,
    row: c.weight('row')?.data,
    bias: c.weight('bias')?.data,
  };
  const { output } = linearConvNode(c.graph, c.hint, c.inputs[0].name, spec, weights, c.mode, padsOf(c, op));
  return activation(c, output, c.config.activation);
}

/**
 * tfjs's depthwise kernel [kh, kw, C, m] as a grouped Conv (group C): output channel c·m + j
 * reads input channel c, which is the kernel read as [kh, kw, 1, C·m].
 */
function depthwiseFilters(c: LayerCall): { filters: string; channels: number } {
  const kernel = c.weight('depthwise_kernel')!;
  const [kh, kw, channels, m] = kernel.shape;
  const filters = c.graph.floats(`${c.hint}_depthwise_filters`, [channels * m, 1, kh, kw], hwioToOihw(kernel.data, [kh, kw, 1, channels * m]));
  return { filters, channels };
}

function depthwiseConv2d(c: LayerCall): string {
  const op = convOp(c);
  const { filters, channels } = depthwiseFilters(c);
  const y = convNode(c.graph, c.hint, c.inputs[0].name, filters, bias(c), { ...op, groups: channels }, padsOf(c, op));
  return activation(c, y, c.config.activation);
}

/** SeparableConv2D: the depthwise conv (no bias), then a 1×1 conv with the bias and activation. */
function separableConv2d(c: LayerCall): string {
  const op = convOp(c);
  const { filters, channels } = depthwiseFilters(c);
  const depthwise = convNode(c.graph, `${c.hint}_depthwise`, c.inputs[0].name, filters, undefined, { ...op, groups: channels }, padsOf(c, op));
  const pointwise = c.weight('pointwise_kernel')!;
  const [, , cm, f] = pointwise.shape;
  const pointFilters = c.graph.floats(`${c.hint}_pointwise_filters`, [f, cm, 1, 1], hwioToOihw(pointwise.data, pointwise.shape));
  const one = { kernelSize: [1, 1], strides: [1, 1], dilation: [1, 1], padding: 'valid', groups: 1 } as const;
  const y = convNode(c.graph, `${c.hint}_pointwise`, depthwise, pointFilters, bias(c), one, [0, 0, 0, 0]);
  return activation(c, y, c.config.activation);
}

/** Dense acts on the last tfjs axis: Gemm on [N, K]; MatMul (+ Add) otherwise, in NHWC for 4-D. */
function dense(c: LayerCall): string {
  const kernel = c.weight('kernel')!;
  const b = bias(c);
  const rank = c.inputs[0].shape.length;
  const weights = c.graph.floats(`${c.hint}_kernel`, kernel.shape, kernel.data);
  let y: string;
  if (rank === 2) {
    y = c.graph.node('Gemm', b ? [c.inputs[0].name, weights, b] : [c.inputs[0].name, weights], c.hint);
  } else {
    const x = rank === 4 ? c.graph.node('Transpose', [c.inputs[0].name], `${c.hint}_nhwc`, { perm: TO_CHANNELS_LAST }) : c.inputs[0].name;
    y = c.graph.node('MatMul', [x, weights], `${c.hint}_matmul`);
    if (b) y = c.graph.node('Add', [y, b], `${c.hint}_bias_add`);
    if (rank === 4) y = c.graph.node('Transpose', [y], `${c.hint}_nchw`, { perm: TO_CHANNELS_FIRST });
  }
  return activation(c, y, c.config.activation);
}

/** ONNX normalises axis 1, which is tfjs's last axis for [N, C] and (in NCHW) for [N, H, W, C]. */
function batchNormalization(c: LayerCall): string {
  const rank = c.inputs[0].shape.length;
  const axis = c.config.axis as number;
  if ((rank !== 2 && rank !== 4) || (axis !== -1 && axis !== rank - 1)) {
    throw c.unsupported(`normalising axis ${axis} of a rank-${rank} input (only the last axis of a 2-D or 4-D input)`);
  }
  const mean = c.weight('moving_mean')!;
  const channels = mean.shape[0];
  const stored = (name: string, fill: number) => {
    const w = c.weight(name);
    return c.graph.floats(`${c.hint}_${name}`, [channels], w ? w.data : new Float32Array(channels).fill(fill));
  };
  const inputs = [c.inputs[0].name, stored('gamma', 1), stored('beta', 0), stored('moving_mean', 0), stored('moving_variance', 1)];
  return c.graph.node('BatchNormalization', inputs, c.hint, { epsilon: { float: c.config.epsilon as number } });
}

function pool(c: LayerCall, opType: 'MaxPool' | 'AveragePool', extra: Record<string, number>): string {
  channelsLast(c);
  const padding = c.config.padding as 'same' | 'valid';
  const op: ConvOp = { kernelSize: c.config.poolSize as Pair, strides: c.config.strides as Pair, dilation: [1, 1], padding };
  return c.graph.node(opType, [c.inputs[0].name], c.hint, { kernel_shape: op.kernelSize, strides: op.strides, pads: padsOf(c, op), ...extra });
}

/** tfjs's global pools drop the spatial axes: [N, C]. */
function globalPool(c: LayerCall, opType: 'GlobalAveragePool' | 'GlobalMaxPool'): string {
  channelsLast(c);
  return c.graph.node('Flatten', [c.graph.node(opType, [c.inputs[0].name], `${c.hint}_pool`)], c.hint, { axis: 1 });
}

/**
 * tfjs flattens [N, H, W, C] in HWC order: the NCHW value is transposed back first, unless the
 * order is the same either way (H·W = 1 or C = 1).
 */
function flatten(c: LayerCall): string {
  const x = c.inputs[0];
  if (x.shape.length === 2) return x.name;
  const [, h, w, ch] = x.shape;
  const reorder = x.shape.length === 4 && (h as number) * (w as number) !== 1 && ch !== 1;
  const source = reorder ? c.graph.node('Transpose', [x.name], `${c.hint}_nhwc`, { perm: TO_CHANNELS_LAST }) : x.name;
  return c.graph.node('Flatten', [source], c.hint, { axis: 1 });
}

function add(c: LayerCall): string {
  const [first, ...rest] = c.inputs;
  if (rest.some((v) => JSON.stringify(v.shape) !== JSON.stringify(first.shape))) throw c.unsupported('adding inputs of different shapes');
  return rest.reduce((sum, v, i) => c.graph.node('Add', [sum, v.name], i === rest.length - 1 ? c.hint : `${c.hint}_${i}`), first.name);
}

/** tfjs reshapes in its own (NHWC) order; 0 keeps the batch, null in the config is tfjs's -1. */
function reshape(c: LayerCall): string {
  const x = c.inputs[0];
  const target = (c.config.targetShape as (number | null)[]).map((d) => d ?? -1);
  const source = x.shape.length === 4 ? c.graph.node('Transpose', [x.name], `${c.hint}_nhwc`, { perm: TO_CHANNELS_LAST }) : x.name;
  const y = c.graph.node('Reshape', [source, c.graph.int64s(`${c.hint}_shape`, [0, ...target])], target.length === 3 ? `${c.hint}_nhwc_out` : c.hint);
  return target.length === 3 ? c.graph.node('Transpose', [y], c.hint, { perm: TO_CHANNELS_FIRST }) : y;
}

/** The tfjs layer class names exportModel translates (plus InputLayer, which adds nothing). */
export const SUPPORTED_LAYERS: readonly string[] = Object.keys(layerTranslations);
