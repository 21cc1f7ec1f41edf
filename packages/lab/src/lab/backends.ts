import { BackendRegistry } from '@linearconv/conformance';
import { onnxBrowserBackends } from '@linearconv/onnx/conformance';
import { tfjsBrowserBackends } from '@linearconv/tfjs/conformance';
import { webgpuBrowserBackends } from '@linearconv/webgpu/conformance';
import tfjsWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfjsWasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfjsWasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/**
 * Every browser backend, in the order the lab runs them. The .wasm files are assets of the
 * built site (vite copies them and gives their URLs), so the page needs no network.
 */
export function labRegistry(): BackendRegistry {
  return new BackendRegistry([
    ...tfjsBrowserBackends({
      wasmPaths: {
        'tfjs-backend-wasm.wasm': tfjsWasm,
        'tfjs-backend-wasm-simd.wasm': tfjsWasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': tfjsWasmThreaded,
      },
    }),
    ...onnxBrowserBackends(),
    ...webgpuBrowserBackends(),
  ]);
}
