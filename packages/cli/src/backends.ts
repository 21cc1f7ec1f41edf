import { BackendRegistry, referenceFactory } from '@linearconv/conformance';

/**
 * Every backend the CLI knows. Adapters add theirs here (tfjs-cpu, tfjs-wasm, tfjs-webgpu,
 * onnx-wasm-compact, onnx-wasm-folded, webgpu) as they land.
 */
export function knownBackends(): BackendRegistry {
  return new BackendRegistry([referenceFactory]);
}
