import type { BackendFactory } from '@linearconv/conformance';
import type { Env } from 'onnxruntime-common';
import type { ExportMode } from './conv.js';
import type { OnnxRuntime } from './onnx-runtime.js';
import { loadOnnxRuntime, type OnnxRuntimeName } from './onnx-runtime-node.js';
import { onnxRuntimeBackend } from './runtime-backend.js';

// The Node build of ./conformance; browsers get conformance-browser.ts (export condition `browser`).
export { type OnnxBrowserBackendOptions, onnxBrowserBackends } from './conformance-browser.js';
export { type LoadedRuntime, onnxRuntimeBackend, withSessionOptions } from './runtime-backend.js';

/**
 * `onnx-wasm-compact` and `onnx-wasm-folded` (onnxruntime-web's wasm backend), `onnx-node-compact`
 * and `onnx-node-folded` (onnxruntime-node's native CPU backend): exported layers, one code path.
 */
export const onnxBackends: readonly BackendFactory[] = [
  onnxConformanceBackend('compact'),
  onnxConformanceBackend('folded'),
  onnxConformanceBackend('compact', 'node'),
  onnxConformanceBackend('folded', 'node'),
];

/**
 * A LinearConv layer exported with exportLayer (`mode`) and run by ONNX Runtime in Node
 * (`runtime`: onnxruntime-web's wasm backend by default, or onnxruntime-node).
 */
export function onnxConformanceBackend(mode: ExportMode, runtime: OnnxRuntimeName = 'web'): BackendFactory {
  return onnxRuntimeBackend(`onnx-${runtime === 'web' ? 'wasm' : 'node'}-${mode}`, mode, async () => {
    const ort = await loadOnnxRuntime(runtime);
    return { runtime: ort, adapter: nodeAdapter(ort, runtime) };
  });
}

/** `onnxruntime-web 1.30.0 wasm` / `onnxruntime-node 1.30.0 CPU`: the runtime and its version. */
function nodeAdapter(ort: OnnxRuntime, runtime: OnnxRuntimeName): string {
  const versions = (ort as { env?: Env }).env?.versions as Partial<Record<'web' | 'node' | 'common', string>> | undefined;
  const version = versions?.[runtime] ?? versions?.common ?? '';
  return runtime === 'web' ? `onnxruntime-web ${version} wasm` : `onnxruntime-node ${version} CPU`;
}
