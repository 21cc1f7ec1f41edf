// The Node entry: everything of the main entry, plus writing .onnx files and a loadOnnxRuntime
// that also offers onnxruntime-node (these explicit exports take precedence over the star's).
export * from './index.js';
export { type ExportedFile, type ExportToFileOptions, exportToFile, writeModelFile } from './export-to-file.js';
export { loadOnnxRuntime, type OnnxRuntimeName } from './onnx-runtime-node.js';
