import { convGeometry, describe, LinearConvError, requireOptions, type ZooNode, type ZooOptions, zooModel as zooGraph } from '@linearconv/core';
import { type LayersModel, layers, model as functionalModel, input, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { GroupedConv2D } from './conv-layer.js';
import { LinearConv2D } from './linear-conv2d.js';
import { requireLayersModel } from './rebuild.js';

export interface TfjsZooOptions extends Omit<ZooOptions, 'inputShape'> {
  /** [height, width, channels], channelsLast. Default [32, 32, 3], the paper's CIFAR-10 shape. */
  readonly inputShape?: readonly [number, number, number];
}

/**
 * One of the paper's models (core's zoo) as a tfjs LayersModel, channelsLast. Its trainable
 * parameters equal core's accounting (`trainableParams`); `countParams()` also counts the
 * batch norms' moving statistics, as tfjs always does. Convs keep PyTorch's symmetric padding
 * ('same' where TensorFlow's rule pads the same, a ZeroPadding2D first where it would not); Flatten follows
 * tfjs's HWC order, which only matters when importing PyTorch weights.
 */
export function zooModel(name: string, options: TfjsZooOptions = {}): LayersModel {
  requireOptions('options', options, ['variant', 'rank', 'primaryFraction', 'quirks', 'inputShape', 'classes']);
  const shape = options.inputShape ?? [32, 32, 3];
  if (!Array.isArray(shape) || shape.length !== 3) {
    throw new LinearConvError('inputShape', `must be [height, width, channels], got ${describe(shape)}`);
  }
  const [h, w, c] = shape;
  const graph = zooGraph(name, { ...options, inputShape: [c, h, w] });
  const x = input({ shape: [h, w, c], name: 'input' });
  const outputs = new Map<string, SymbolicTensor>();
  for (const node of graph.nodes) {
    const from = node.inputs.length === 0 ? [x] : node.inputs.map((i) => outputs.get(i)!);
    outputs.set(node.name, layerOf(node, from));
  }
  return functionalModel({ inputs: x, outputs: outputs.get(graph.nodes.at(-1)!.name)!, name: `${graph.name}-${graph.variant}` });
}

/** Trainable parameters: what the paper and core's accounting count. */
export function trainableParams(model: LayersModel): number {
  requireLayersModel('model', model);
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a, b) => (a as number) * (b as number), 1)!, 0);
}

function layerOf(node: ZooNode, from: SymbolicTensor[]): SymbolicTensor {
  const apply = (layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown }, x: SymbolicTensor | SymbolicTensor[] = from[0]) =>
    layer.apply(x) as SymbolicTensor;
  const name = node.name;
  switch (node.op) {
    case 'conv': {
      const spec = node.linearConv ?? node.conv;
      const [top, bottom, left, right] = spec.padding as readonly number[];
      const common = { name, kernelSize: [...spec.kernelSize], strides: [...spec.strides], useBias: spec.useBias };
      if (node.linearConv) {
        const { primaryFilters, coefficients } = node.linearConv;
        const padding: [[number, number], [number, number]] = [[top, bottom], [left, right]];
        return apply(new LinearConv2D({ ...common, filters: spec.outChannels, padding, groups: spec.groups, primaryFilters, coefficients }));
      }
      if (spec.groups > 1 && spec.groups < spec.inChannels) {
        return apply(new GroupedConv2D({ ...common, filters: spec.outChannels, padding: [[top, bottom], [left, right]], groups: spec.groups }));
      }
      // 'valid', or 'same' where TensorFlow's rule pads exactly as PyTorch does; else pad first.
      const same = convGeometry({ ...spec, padding: 'same' }, ...node.inputSize).padding;
      const padding = top + bottom + left + right === 0 ? 'valid' : same.every((p, i) => p === spec.padding[i]) ? 'same' : undefined;
      const input = padding ? from[0] : apply(layers.zeroPadding2d({ name: `${name}.pad`, padding: [[top, bottom], [left, right]] }));
      const conv =
        spec.groups === 1
          ? layers.conv2d({ ...common, filters: spec.outChannels, padding: padding ?? 'valid' })
          : layers.depthwiseConv2d({ ...common, kernelSize: spec.kernelSize[0], depthMultiplier: spec.outChannels / spec.inChannels, padding: padding ?? 'valid' });
      return apply(conv, input);
    }
    case 'batchNorm':
      // PyTorch's defaults, as the authors trained with.
      return apply(layers.batchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1e-5 }));
    case 'relu':
    case 'relu6':
      return apply(layers.activation({ name, activation: node.op }));
    case 'maxPool':
    case 'avgPool': {
      const args = { name, poolSize: [...node.size] as [number, number], strides: [...node.strides] as [number, number], padding: 'valid' as const };
      return apply(node.op === 'maxPool' ? layers.maxPooling2d(args) : layers.averagePooling2d(args));
    }
    case 'globalAvgPool': {
      // Keeps the 1×1 map, like PyTorch's adaptive average pool, so the flatten that follows works.
      const [, height, width] = from[0].shape;
      return apply(layers.averagePooling2d({ name, poolSize: [height as number, width as number], padding: 'valid' }));
    }
    case 'flatten':
      return apply(layers.flatten({ name }));
    case 'dense':
      return apply(layers.dense({ name, units: node.outFeatures, useBias: node.useBias }));
    case 'add':
      return apply(layers.add({ name }), from);
    case 'dropout':
      return apply(layers.dropout({ name, rate: node.rate }));
  }
}
