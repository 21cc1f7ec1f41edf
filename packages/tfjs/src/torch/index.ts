// `@linearconv/tfjs/torch`: PyTorch state dicts into tfjs models. It takes a state dict by its
// structure (what @linearconv/torch reads), so this adapter does not depend on that package.
export { authorsPrefixes } from './authors-layout.js';
export { channelsFirstInput } from './channels-first.js';
export { type ImportTorchOptions, importTorchStateDict } from './import-state-dict.js';
export { depthwiseToHwcm, linearToDense, oihwToHwio } from './layouts.js';
export {
  DEFAULT_TORCH_NAMES,
  type LoadTorchWeightsOptions,
  loadTorchWeights,
  type TorchKeyMap,
  type TorchLayerKeys,
  type TorchParameter,
} from './load-torch-weights.js';
export type { TorchStateDictLike, TorchTensorLike } from './state-dict.js';
