/**
 * The tfjs backends the training view can train on, each loaded on demand (its own chunk) and
 * only where this browser offers what it needs. The wasm binaries are bundled assets: no network.
 */
import { describe, LinearConvError } from '@linearconv/core';
import { enableWasmTraining } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const trainBackends = ['webgl', 'wasm', 'cpu', 'webgpu'] as const;
export type TrainBackend = (typeof trainBackends)[number];

export interface BackendOffer {
  readonly name: TrainBackend;
  readonly available: boolean;
  /** Why not, when unavailable. */
  readonly reason?: string;
}

/** What this browser offers, cheaply (no backend is started). */
export async function offeredBackends(): Promise<BackendOffer[]> {
  const probe = async (name: TrainBackend): Promise<string | undefined> => {
    switch (name) {
      case 'cpu':
        return undefined;
      case 'wasm':
        return typeof WebAssembly === 'object' ? undefined : 'this browser has no WebAssembly';
      case 'webgl':
        return document.createElement('canvas').getContext('webgl2') ? undefined : 'this browser gives no WebGL 2 context';
      case 'webgpu': {
        const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
        if (!gpu) return 'navigator.gpu is missing (no WebGPU in this browser)';
        return (await gpu.requestAdapter()) ? undefined : 'navigator.gpu.requestAdapter() returned no adapter';
      }
    }
  };
  return Promise.all(
    trainBackends.map(async (name) => {
      const reason = await probe(name);
      return reason === undefined ? { name, available: true } : { name, available: false, reason };
    }),
  );
}

const loaders: Record<TrainBackend, () => Promise<void>> = {
  cpu: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
  },
  webgl: async () => {
    await import('@tensorflow/tfjs-backend-webgl');
  },
  webgpu: async () => {
    await import('@tensorflow/tfjs-backend-webgpu');
  },
  wasm: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // setWasmPaths wants all three, though the threaded one is never fetched (below).
    wasm.setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
    // Its threaded build fails in its workers once bundled (see src/node/serve-site.ts): one
    // thread, even where the page is cross-origin isolated.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    // tfjs-backend-wasm 4.x lacks three convolution gradients: @linearconv/tfjs registers them.
    enableWasmTraining();
  },
};

/** Loads and starts `name` as tfjs's backend; throws with the reason when it cannot start. */
export async function useBackend(name: TrainBackend): Promise<void> {
  if (!trainBackends.includes(name)) throw new LinearConvError('backend', `must be one of ${trainBackends.join(', ')}, got ${describe(name)}`);
  if (tf.getBackend() === name) return;
  await loaders[name]();
  if (!(await tf.setBackend(name))) throw new LinearConvError('backend', `${name}: tfjs could not start it in this browser`);
  await tf.ready();
}
