import { type BackendFactory, BackendRegistry } from '@linearconv/conformance';
import { onnxBrowserBackends } from '@linearconv/onnx/conformance';
import { tfjsBrowserBackends } from '@linearconv/tfjs/conformance';
import { webgpuBrowserBackends } from '@linearconv/webgpu/conformance';
import tfjsWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfjsWasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfjsWasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { wasmThreads } from '../train/backends.js';

/**
 * Every browser backend, in the order the lab runs them. The .wasm files are assets of the
 * built site (vite copies them and gives their URLs), so the page needs no network.
 */
export function labRegistry(): BackendRegistry {
  const tfjs = tfjsBrowserBackends({
    wasmPaths: {
      'tfjs-backend-wasm.wasm': tfjsWasm,
      'tfjs-backend-wasm-simd.wasm': tfjsWasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': tfjsWasmThreaded,
    },
  }).map((factory) => (factory.name === 'tfjs-wasm' ? withWasmThreads(factory) : factory));
  return new BackendRegistry([
    ...tfjs,
    ...onnxBrowserBackends(),
    ...webgpuBrowserBackends(),
  ]);
}

/** tfjs-wasm with the page's thread count (see wasmThreads), set before tfjs starts the backend. */
function withWasmThreads(factory: BackendFactory): BackendFactory {
  return {
    name: factory.name,
    create: async () => {
      const threads = wasmThreads(location.search);
      (await import('@tensorflow/tfjs-backend-wasm')).setThreadsCount(threads);
      return factory.create();
    },
  };
}
