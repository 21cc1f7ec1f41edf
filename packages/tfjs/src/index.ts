export { composeKernel, type TensorWeights } from './compose.js';
export { type ExplicitPadding2D, LinearConv2D, type LinearConv2DArgs, linearConv2d } from './linear-conv2d.js';
export {
  CorrelationRegularizer,
  correlation,
  OrthogonalityRegularizer,
  orthogonality,
  type ScheduledRegularizerArgs,
} from './regularizers.js';
