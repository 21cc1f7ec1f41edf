// The browser build of ./conformance (export condition `browser`): nothing here imports node:* or
// Dawn, and every tfjs backend is imported through a literal specifier, so bundlers see it.
import type { BackendFactory } from '@linearconv/conformance';
import { describe, LinearConvError, MissingDependencyError, requireOptions } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { tfjsConformanceBackend } from './layer-backend.js';
import { enableWasmTraining } from './wasm-training.js';

export { type TfjsBackendName, tfjsConformanceBackend } from './layer-backend.js';

export interface TfjsBrowserBackendOptions {
  /**
   * Where tfjs-backend-wasm fetches its .wasm files (`tfjs-backend-wasm.wasm`,
   * `tfjs-backend-wasm-simd.wasm`, `tfjs-backend-wasm-threaded-simd.wasm`, from the package's
   * dist/): a folder URL ending in `/`, or a map from those file names to URLs, as
   * `setWasmPaths` takes them. By default tfjs looks beside the script that loaded it. It takes
   * effect when `tfjs-wasm` is created first in the page (tfjs initialises the backend once).
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
}

/**
 * `tfjs-cpu`, `tfjs-wasm` (with the training kernels), `tfjs-webgl` and `tfjs-webgpu` (on
 * `navigator.gpu`) for a page: each imports its tfjs backend (an optional peer) when created.
 */
export function tfjsBrowserBackends(options?: TfjsBrowserBackendOptions): BackendFactory[] {
  const { wasmPaths } = requireOptions('options', options, ['wasmPaths']);
  if (wasmPaths !== undefined && typeof wasmPaths !== 'string' && !isStringRecord(wasmPaths)) {
    throw new LinearConvError('options.wasmPaths', `must be a folder URL or an object of file name → URL, got ${describe(wasmPaths)}`);
  }
  return [
    tfjsConformanceBackend('cpu', () => load('@tensorflow/tfjs-backend-cpu', () => import('@tensorflow/tfjs-backend-cpu'))),
    tfjsConformanceBackend('wasm', async () => {
      const wasm = await load('@tensorflow/tfjs-backend-wasm', () => import('@tensorflow/tfjs-backend-wasm'));
      // setWasmPaths throws once the backend is initialised (a second list of factories, say).
      if (wasmPaths !== undefined && tf.engine().registry.wasm === undefined) wasm.setWasmPaths(wasmPaths as string);
      enableWasmTraining();
    }),
    tfjsConformanceBackend('webgl', () => load('@tensorflow/tfjs-backend-webgl', () => import('@tensorflow/tfjs-backend-webgl'))),
    tfjsConformanceBackend('webgpu', async () => {
      await requireWebGpuAdapter();
      await load('@tensorflow/tfjs-backend-webgpu', () => import('@tensorflow/tfjs-backend-webgpu'));
    }),
  ];
}

/** tfjs-backend-webgpu registers itself only where navigator.gpu exists: say so rather than "not found in registry". */
async function requireWebGpuAdapter(): Promise<void> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) throw new Error('no WebGPU in this browser: navigator.gpu is missing');
  if (!(await gpu.requestAdapter())) throw new Error('no WebGPU adapter: navigator.gpu.requestAdapter() returned null');
}

async function load<T>(packageName: string, imported: () => Promise<T>): Promise<T> {
  try {
    return await imported();
  } catch (e) {
    throw new MissingDependencyError(`the ${packageName.replace('@tensorflow/tfjs-backend-', 'tfjs-')} backend`, packageName, e);
  }
}

function isStringRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
