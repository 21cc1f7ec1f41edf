// The main entry runs anywhere (browsers, bundlers, Node): no Node built-in in its import graph.
// Writing files and onnxruntime-node: `@linearconv/onnx/node`.
export { SUPPORTED_ACTIVATIONS } from './activations.js';
export type { ExportMode } from './conv.js';
export { type ExportLayerOptions, exportLayer } from './export-layer.js';
export { type ExportModelOptions, exportModel } from './export-model.js';
export { type Dim, IR_VERSION, OPSET_VERSION } from './graph.js';
export { inspectModel, type OnnxModelInfo } from './inspect-model.js';
export { type FloatTensor, loadOnnxRuntime, type OnnxRuntime, type OnnxRuntimeName, runModel } from './onnx-runtime.js';
export { SUPPORTED_LAYERS } from './tfjs-layers.js';
