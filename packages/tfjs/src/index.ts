import { checkTfjsPeers } from './peer-versions.js';

export { composeKernel, type TensorWeights } from './compose.js';
export { type ExplicitPadding2D, GroupedConv2D, type GroupedConv2DArgs, groupedConv2d } from './conv-layer.js';
export { LinearConv2D, type LinearConv2DArgs, linearConv2d } from './linear-conv2d.js';
export {
  CorrelationRegularizer,
  correlation,
  OrthogonalityRegularizer,
  orthogonality,
  type ScheduledRegularizerArgs,
} from './regularizers.js';
export { enableWasmTraining } from './wasm-training.js';
export { type ConvertedLayer, type ConvertOptions, type ConvertResult, convertModel } from './convert.js';
export { foldModel } from './fold.js';
export { type TfjsZooOptions, trainableParams, zooModel } from './zoo.js';

// On import, so that a tfjs outside the supported range, or a second tfjs-core copy, fails here by
// name rather than later inside tfjs-layers ("got 'SymbolicTensor'").
checkTfjsPeers();
