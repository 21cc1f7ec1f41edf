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

const MAX_WASM_THREADS = 8;

/**
 * The thread count for tfjs-wasm on a cross-origin isolated page: the page URL's `threads` (1 to
 * 8; tfjs caps it at the cores), else half of navigator.hardwareConcurrency, at most 4: tfjs-wasm's
 * own default (it assumes two hyper-threads per core). On a 2-core machine that is one thread,
 * which trains the training view's small models ~3.7× faster than two when other work shares the
 * cores (measured). Results do not depend on the count. Without isolation tfjs runs its
 * one-thread build whatever this says.
 */
export function wasmThreads(search: string): number {
  const asked = new URLSearchParams(search).get('threads');
  if (asked === null) return Math.max(1, Math.min(Math.floor((navigator.hardwareConcurrency || 1) / 2), 4));
  const threads = Number(asked);
  if (!/^\d+$/.test(asked) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new LinearConvError('threads', `must be an integer from 1 to ${MAX_WASM_THREADS} (the page URL's ?threads=), got ${describe(asked)}`);
  }
  return threads;
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
    // The threaded SIMD build where the page is cross-origin isolated (SharedArrayBuffer); one thread elsewhere.
    wasm.setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
    wasm.setThreadsCount(wasmThreads(location.search));
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
