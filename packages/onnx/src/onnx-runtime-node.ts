import { describe, LinearConvError, MissingDependencyError } from '@linearconv/core';
import { loadOnnxRuntime as loadWebRuntime, type OnnxRuntime } from './onnx-runtime.js';

/** `web`: onnxruntime-web (wasm); `node`: onnxruntime-node's native CPU backend. */
export type OnnxRuntimeName = 'web' | 'node';

/**
 * The Node entry's loader: onnxruntime-web as the main entry loads it, or onnxruntime-node (an
 * optional peer dependency), imported on first use through a literal specifier.
 */
export async function loadOnnxRuntime(name: OnnxRuntimeName = 'web'): Promise<OnnxRuntime> {
  if (name === 'web') return loadWebRuntime('web');
  if (name !== 'node') throw new LinearConvError('name', `must be 'web' or 'node', got ${describe(name)}`);
  try {
    return await import('onnxruntime-node');
  } catch (e) {
    throw new MissingDependencyError("loadOnnxRuntime('node')", 'onnxruntime-node', e);
  }
}
