import { describe, LinearConvError } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, layers } from '@tensorflow/tfjs-layers';
import { depthwiseToHwcm, linearToDense, oihwToHwio } from './layouts.js';
import { requireStateDict, sameShape, type TorchStateDictLike, tensorAt } from './state-dict.js';

/** The parameters a mapped PyTorch module may provide, by role. */
export type TorchParameter = 'weight' | 'bias' | 'primary' | 'coefficients' | 'mask' | 'column' | 'row' | 'runningMean' | 'runningVar';

/** Parameter names inside a module; the LinearConv ones are the authors' (xCNN, xCNNlow). */
export const DEFAULT_TORCH_NAMES: Readonly<Record<TorchParameter, string>> = {
  weight: 'weight',
  bias: 'bias',
  primary: 'conv_weights',
  coefficients: 'linear_weights',
  mask: 'mask',
  column: 'column_weights',
  row: 'row_weights',
  runningMean: 'running_mean',
  runningVar: 'running_var',
};

export interface TorchLayerKeys {
  /** The PyTorch module's prefix: `features.0` for `features.0.weight`, … */
  readonly prefix: string;
  /** Parameter names within the module where they differ from DEFAULT_TORCH_NAMES. */
  readonly names?: Partial<Record<TorchParameter, string>>;
}

/** tfjs layer name → the PyTorch module (its prefix, or prefix and names) that fills it. */
export type TorchKeyMap = Readonly<Record<string, string | TorchLayerKeys>>;

export interface LoadTorchWeightsOptions {
  /**
   * Default true: every state-dict key must be used (num_batches_tracked excepted) and every
   * layer of the model that has weights must be in the key map, so nothing is silently left out.
   */
  readonly strict?: boolean;
  /** The BatchNorm eps the PyTorch model used; mapped BatchNormalization layers must have it. Default 1e-5, PyTorch's. */
  readonly batchNormEpsilon?: number;
}

interface Slot {
  readonly key: string;
  /** The shape the PyTorch tensor must have. */
  readonly torchShape: readonly number[];
  readonly shape: readonly number[];
  /** PyTorch's values (row-major) to tfjs's layout. */
  readonly convert: (data: ArrayLike<number>) => Float32Array;
  /** Only LinearConv's coefficients: a key whose tensor multiplies them, when present (the authors' mask). */
  readonly mask?: string;
}

const asIs = (data: ArrayLike<number>) => Float32Array.from(data);

/**
 * Fills the layers of a tfjs model from a PyTorch state dict through a key map, converting
 * layouts: Conv2D, GroupedConv2D, LinearConv2D (primaries OIHW → HWIO; coefficients, or column
 * and row, as they are; an authors'-style `mask` multiplies the coefficients), DepthwiseConv2D,
 * BatchNormalization (weight, bias, running_mean, running_var → gamma, beta, moving statistics)
 * and Dense (weight transposed; when it reads a Flatten of a 4-D map, its rows are permuted
 * from PyTorch's NCHW flatten order to tfjs's NHWC one). Every shape must match exactly, else a
 * LinearConvError names the key and both shapes; nothing is written unless everything fits.
 */
export function loadTorchWeights(model: LayersModel, stateDict: TorchStateDictLike, keyMap: TorchKeyMap, options: LoadTorchWeightsOptions = {}): void {
  requireStateDict(stateDict);
  if (keyMap === null || typeof keyMap !== 'object') throw new LinearConvError('keyMap', `must map tfjs layer names to PyTorch module prefixes, got ${describe(keyMap)}`);
  const strict = options.strict ?? true;
  const epsilon = options.batchNormEpsilon ?? 1e-5;
  const used = new Set<string>();
  const plan: { layer: layers.Layer; slots: Slot[] }[] = [];

  for (const [layerName, entry] of Object.entries(keyMap)) {
    const layer = model.layers.find((l) => l.name === layerName);
    if (!layer) throw new LinearConvError(`keyMap.${layerName}`, `names no layer of the model (layers: ${model.layers.map((l) => l.name).join(', ')})`);
    const { prefix, names } = typeof entry === 'string' ? { prefix: entry, names: undefined } : entry;
    if (typeof prefix !== 'string') throw new LinearConvError(`keyMap.${layerName}`, `must be a module prefix or { prefix, names }, got ${describe(entry)}`);
    const key = (p: TorchParameter) => `${prefix === '' ? '' : `${prefix}.`}${names?.[p] ?? DEFAULT_TORCH_NAMES[p]}`;
    plan.push({ layer, slots: slotsOf(layer, key, epsilon) });
  }
  if (strict) {
    const mapped = new Set(Object.keys(keyMap));
    const unmapped = model.layers.filter((l) => l.weights.length > 0 && !mapped.has(l.name));
    if (unmapped.length > 0) throw new LinearConvError('keyMap', `leaves layers with weights unfilled: ${unmapped.map((l) => l.name).join(', ')}`);
  }

  // Check and convert everything first: an error leaves the model untouched.
  const values = plan.map(({ layer, slots }) => ({
    layer,
    arrays: slots.map((slot) => {
      const tensor = tensorAt(stateDict, slot.key);
      if (!tensor) throw new LinearConvError(slot.key, `is missing from the state dict (${layer.name} needs it, shape [${slot.torchShape}])`);
      if (!sameShape(tensor.shape, slot.torchShape)) {
        throw new LinearConvError(slot.key, `has shape [${tensor.shape}] but ${layer.name} (${layer.getClassName()}) needs [${slot.torchShape}]`);
      }
      used.add(slot.key);
      let data = slot.convert(tensor.data);
      const mask = slot.mask === undefined ? undefined : tensorAt(stateDict, slot.mask);
      if (mask) {
        if (!sameShape(mask.shape, slot.torchShape)) throw new LinearConvError(slot.mask!, `has shape [${mask.shape}] but must match ${slot.key}'s [${slot.torchShape}]`);
        used.add(slot.mask!);
        // The authors' sparse xCNN composes with linear_weights * mask.
        data = data.map((v, i) => v * mask.data[i]);
      }
      return { data, shape: slot.shape };
    }),
  }));
  if (strict) {
    const unused = Object.keys(stateDict).filter((k) => !used.has(k) && !k.endsWith('num_batches_tracked'));
    if (unused.length > 0) {
      throw new LinearConvError(unused[0], `is not used by any layer (${unused.length} unused key${unused.length > 1 ? 's' : ''}: ${unused.slice(0, 6).join(', ')}${unused.length > 6 ? ', …' : ''})`);
    }
  }
  for (const { layer, arrays } of values) {
    const tensors = arrays.map(({ data, shape }) => tf.tensor(data, [...shape], 'float32'));
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
}

/** What one tfjs layer needs, weight by weight in `layer.weights` order. */
function slotsOf(layer: layers.Layer, key: (p: TorchParameter) => string, epsilon: number): Slot[] {
  const className = layer.getClassName();
  const config = layer.getConfig();
  if (config.dataFormat === 'channelsFirst') throw new LinearConvError(layer.name, 'is channelsFirst; map a channelsLast model (channelsFirstInput wraps one for NCHW input)');
  return layer.weights.map((w) => {
    const role = w.originalName.split('/').pop()!;
    const shape = w.shape as number[];
    const unknown = () => new LinearConvError(layer.name, `has a weight ${role} that a ${className} does not have in PyTorch`);
    switch (className) {
      case 'LinearConv2D': {
        if (role === 'primary') return { key: key('primary'), shape, torchShape: hwioToOihwShape(shape), convert: (d) => oihwToHwio(d, hwioToOihwShape(shape)) };
        if (role === 'coefficients') return { key: key('coefficients'), shape, torchShape: shape, convert: asIs, mask: key('mask') };
        if (role === 'column' || role === 'row' || role === 'bias') return { key: key(role), shape, torchShape: shape, convert: asIs };
        throw unknown();
      }
      case 'Conv2D':
      case 'GroupedConv2D': {
        if (role === 'kernel') return { key: key('weight'), shape, torchShape: hwioToOihwShape(shape), convert: (d) => oihwToHwio(d, hwioToOihwShape(shape)) };
        if (role === 'bias') return { key: key('bias'), shape, torchShape: shape, convert: asIs };
        throw unknown();
      }
      case 'DepthwiseConv2D': {
        const [kh, kw, c, m] = shape;
        if (role === 'depthwise_kernel') return { key: key('weight'), shape, torchShape: [c * m, 1, kh, kw], convert: (d) => depthwiseToHwcm(d, [c * m, 1, kh, kw], c) };
        if (role === 'bias') return { key: key('bias'), shape, torchShape: shape, convert: asIs };
        throw unknown();
      }
      case 'BatchNormalization': {
        const axis = config.axis as number | number[];
        if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) {
          throw new LinearConvError(layer.name, `normalises axis ${JSON.stringify(axis)}; PyTorch's BatchNorm2d is the channel axis (-1 in tfjs)`);
        }
        if (Math.abs((config.epsilon as number) - epsilon) > 1e-12) {
          throw new LinearConvError(layer.name, `has epsilon ${config.epsilon} but the PyTorch model's eps is ${epsilon} (batchNormEpsilon); tfjs's default 1e-3 differs from PyTorch's 1e-5`);
        }
        const torchName: Record<string, TorchParameter> = { gamma: 'weight', beta: 'bias', moving_mean: 'runningMean', moving_variance: 'runningVar' };
        if (!(role in torchName)) throw unknown();
        return { key: key(torchName[role]), shape, torchShape: shape, convert: asIs };
      }
      case 'Dense': {
        if (role === 'kernel') {
          const [inputs, units] = shape;
          const flattened = flattenedFrom(layer);
          return { key: key('weight'), shape, torchShape: [units, inputs], convert: (d) => linearToDense(d, [units, inputs], flattened) };
        }
        if (role === 'bias') return { key: key('bias'), shape, torchShape: shape, convert: asIs };
        throw unknown();
      }
      default:
        throw new LinearConvError(layer.name, `is a ${className}, which loadTorchWeights cannot fill (Conv2D, GroupedConv2D, LinearConv2D, DepthwiseConv2D, BatchNormalization, Dense)`);
    }
  });
}

/** [kh, kw, I, O] → [O, I, kh, kw]. */
function hwioToOihwShape([kh, kw, i, o]: readonly number[]): number[] {
  return [o, i, kh, kw];
}

/** [H, W, C] when the Dense reads a Flatten of a 4-D NHWC map (the case PyTorch orders differently). */
function flattenedFrom(dense: layers.Layer): [number, number, number] | undefined {
  const source = dense.inboundNodes[0]?.inboundLayers[0];
  if (source?.getClassName() !== 'Flatten') return undefined;
  const shape = source.inboundNodes[0]?.inputShapes as (number | null)[] | (number | null)[][];
  const input = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
  if (input.length !== 4) return undefined;
  const [, h, w, c] = input;
  if (h == null || w == null || c == null) throw new LinearConvError(dense.name, 'reads a Flatten of a map of unknown size; give the model a fixed input size');
  return [h, w, c];
}
