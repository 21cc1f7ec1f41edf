import {
  type CompositionGradients,
  checkWeights,
  composeFilters,
  composeFiltersBackward,
  type LinearConvWeights,
  weightsAsFloat64,
} from './compose.js';
import { conv2d, conv2dBackward, type Conv2DOptions } from './reference.js';
import { convGeometry, type LayerSpec, outputShape, requireLayerSpec, weightShapes } from './spec.js';
import { requireTensor, type Tensor } from './tensor.js';

/** Gradients of sum(output · outputGrad) with respect to the input and every stored weight. */
export interface LinearConvGradients extends CompositionGradients<Float64Array> {
  readonly inputGrad: Tensor<Float64Array>;
  readonly biasGrad?: Float64Array;
}

/**
 * The float64 reference of a whole LinearConv layer: compose W, then conv2d. NaN and ±Inf in the
 * weights or the input propagate as in composeFilters and conv2d.
 */
export function linearConvForward(spec: LayerSpec, weights: LinearConvWeights, input: Tensor): Tensor<Float64Array> {
  const checked = requireLayerSpec('spec', spec);
  checkWeights(checked, weights);
  const options = convOptions(checked, input);
  const w = weightsAsFloat64(weights);
  return conv2d(input, filtersOf(checked, w), w.bias, options);
}

/** The float64 reference backward: conv2d's gradients, then back through the composition. */
export function linearConvBackward(
  spec: LayerSpec,
  weights: LinearConvWeights,
  input: Tensor,
  outputGrad: Tensor,
): LinearConvGradients {
  const checked = requireLayerSpec('spec', spec);
  checkWeights(checked, weights);
  const options = convOptions(checked, input);
  requireTensor('outputGrad', outputGrad);
  const w = weightsAsFloat64(weights);
  const grads = conv2dBackward(input, filtersOf(checked, w), outputGrad, options);
  return {
    inputGrad: grads.inputGrad,
    ...composeFiltersBackward(checked, w, grads.filterGrad.data),
    ...(checked.useBias && { biasGrad: grads.biasGrad }),
  };
}

/** The explicit conv2d options of a layer on a given NCHW input. */
export function convOptions(spec: LayerSpec, input: Tensor): Conv2DOptions {
  const checked = requireLayerSpec('spec', spec);
  requireTensor('input', input);
  outputShape(checked, input.shape);
  const { padding } = convGeometry(checked, input.shape[2], input.shape[3]);
  return { strides: checked.strides, padding, dilation: checked.dilation, groups: checked.groups };
}

function filtersOf(spec: LayerSpec, weights: LinearConvWeights<Float64Array>): Tensor<Float64Array> {
  return { shape: weightShapes(spec).filters, data: composeFilters(spec, weights) };
}
