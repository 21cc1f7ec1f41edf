import {
  type CompositionGradients,
  composeFilters,
  composeFiltersBackward,
  type LinearConvWeights,
  weightsAsFloat64,
} from './compose.js';
import { conv2d, conv2dBackward, type Conv2DOptions } from './reference.js';
import { convGeometry, type LayerSpec, outputShape, weightShapes } from './spec.js';
import { requireLength, type Tensor } from './tensor.js';

/** Gradients of sum(output · outputGrad) with respect to the input and every stored weight. */
export interface LinearConvGradients extends CompositionGradients<Float64Array> {
  readonly inputGrad: Tensor<Float64Array>;
  readonly biasGrad?: Float64Array;
}

/** The float64 reference of a whole LinearConv layer: compose W, then conv2d. */
export function linearConvForward(spec: LayerSpec, weights: LinearConvWeights, input: Tensor): Tensor<Float64Array> {
  const w = weightsAsFloat64(weights);
  return conv2d(input, filtersOf(spec, w), w.bias, convOptions(spec, input));
}

/** The float64 reference backward: conv2d's gradients, then back through the composition. */
export function linearConvBackward(
  spec: LayerSpec,
  weights: LinearConvWeights,
  input: Tensor,
  outputGrad: Tensor,
): LinearConvGradients {
  const w = weightsAsFloat64(weights);
  const grads = conv2dBackward(input, filtersOf(spec, w), outputGrad, convOptions(spec, input));
  return {
    inputGrad: grads.inputGrad,
    ...composeFiltersBackward(spec, w, grads.filterGrad.data),
    ...(spec.useBias && { biasGrad: grads.biasGrad }),
  };
}

/** The explicit conv2d options of a layer on a given NCHW input. */
export function convOptions(spec: LayerSpec, input: Tensor): Conv2DOptions {
  requireLength('input', input.data, input.shape);
  outputShape(spec, input.shape);
  const { padding } = convGeometry(spec, input.shape[2], input.shape[3]);
  return { strides: spec.strides, padding, dilation: spec.dilation, groups: spec.groups };
}

function filtersOf(spec: LayerSpec, weights: LinearConvWeights<Float64Array>): Tensor<Float64Array> {
  return { shape: weightShapes(spec).filters, data: composeFilters(spec, weights) };
}
