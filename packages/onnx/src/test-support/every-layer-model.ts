import { groupedConv2d, linearConv2d } from '@linearconv/tfjs';
import { input, type LayersModel, layers, model, type SymbolicTensor } from '@tensorflow/tfjs-layers';

/**
 * A functional model that uses every layer class and activation exportModel supports, with
 * shapes that expose layout mistakes: a non-square input, asymmetric padding, 'same' with
 * stride 2 on odd sizes, concatenation along H, Flatten and Reshape of multi-channel maps,
 * Dense on 3-D and 4-D input, and a 4-D output. Three outputs.
 */
export function everyLayerModel(): LayersModel {
  const x = input({ shape: [12, 10, 3], name: 'image' });
  const apply = (layer: { apply(t: SymbolicTensor | SymbolicTensor[]): unknown }, t: SymbolicTensor | SymbolicTensor[]) => layer.apply(t) as SymbolicTensor;
  const padded = apply(layers.zeroPadding2d({ padding: [[1, 0], [2, 1]] }), x); // 13×13×3
  const conv = apply(layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), padded); // 7×7×8
  const capped = apply(layers.reLU({ maxValue: 4 }), conv);
  const linear = apply(
    linearConv2d({ filters: 12, kernelSize: [3, 2], padding: [[1, 2], [0, 1]], dilationRate: [1, 2], primaryFilters: 5, activation: 'elu' }),
    capped,
  ); // 8×6×12
  const lowRank = apply(
    linearConv2d({ filters: 12, kernelSize: 3, groups: 4, padding: 'same', coefficients: { kind: 'lowRank', rank: 2 }, activation: 'relu6', name: 'low.rank/conv' }),
    linear,
  );
  const grouped = apply(groupedConv2d({ filters: 12, kernelSize: 1, groups: 3, activation: 'sigmoid' }), lowRank);
  const elu = apply(layers.elu({}), grouped);
  const normed = apply(layers.batchNormalization({ epsilon: 1e-3 }), elu);
  const depthwise = apply(layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'tanh' }), normed); // 6×4×24
  const separable = apply(layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same', dilationRate: 2 }), depthwise); // 6×4×16
  const activations = ['relu', 'relu6', 'elu', 'sigmoid', 'tanh', 'softmax', 'linear'] as const;
  const branches = [
    ...activations.map((activation) => apply(layers.activation({ activation }), separable)),
    apply(layers.reLU({}), separable),
    apply(layers.softmax({ axis: -1 }), separable), // tfjs's default axis (1) only works on 2-D input
  ];
  const merged = apply(layers.concatenate({}), branches); // 6×4×144
  const mixed = apply(layers.conv2d({ filters: 16, kernelSize: 1, useBias: false }), merged);
  const residual = apply(layers.add({}), [mixed, separable, separable]);
  const maxPooled = apply(layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }), residual); // 6×4×16
  const averaged = apply(layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), maxPooled); // 3×2×16
  const validAveraged = apply(layers.averagePooling2d({ poolSize: 2, padding: 'valid' }), maxPooled); // 3×2×16
  const stacked = apply(layers.concatenate({ axis: 1 }), [averaged, validAveraged]); // 6×2×16
  const sequence = apply(layers.reshape({ targetShape: [12, 16] }), stacked);
  const projected = apply(layers.dense({ units: 8 }), sequence); // 12×8
  const map = apply(layers.reshape({ targetShape: [4, 3, 8] }), projected); // 4×3×8
  const dense4d = apply(layers.dense({ units: 5, activation: 'relu' }), map); // 4×3×5
  const features = apply(layers.concatenate({}), [
    apply(layers.globalAveragePooling2d({}), dense4d),
    apply(layers.globalMaxPooling2d({}), dense4d),
    apply(layers.flatten({}), dense4d),
  ]); // 70
  const hidden = apply(layers.dense({ units: 16, activation: 'elu' }), apply(layers.dropout({ rate: 0.5 }), features));
  const logits = apply(layers.batchNormalization({}), hidden);
  const probabilities = apply(layers.dense({ units: 6, activation: 'softmax' }), logits);
  const squashed = apply(layers.dense({ units: 3, activation: 'tanh', useBias: false }), logits);
  return model({ inputs: x, outputs: [probabilities, residual, squashed], name: 'every-layer' });
}
