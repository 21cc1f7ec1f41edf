import type { BackendFactory } from '@linearconv/conformance';
import { tfjsConformanceBackend } from './layer-backend.js';
import { enableWasmTraining } from './wasm-training.js';

// The Node build of ./conformance; browsers get conformance-browser.ts (export condition `browser`).
export { type TfjsBrowserBackendOptions, tfjsBrowserBackends } from './conformance-browser.js';
export { type TfjsBackendName, tfjsConformanceBackend } from './layer-backend.js';

/** `tfjs-cpu`, `tfjs-wasm` (with the training kernels) and `tfjs-webgpu` (Dawn in Node). */
export const tfjsBackends: readonly BackendFactory[] = [
  tfjsConformanceBackend('cpu', () => importOptional('@tensorflow/tfjs-backend-cpu')),
  tfjsConformanceBackend('wasm', async () => {
    await importOptional('@tensorflow/tfjs-backend-wasm');
    enableWasmTraining();
  }),
  tfjsConformanceBackend('webgpu', async () => {
    await provideWebGpu();
    await importOptional('@tensorflow/tfjs-backend-webgpu');
  }),
];

/**
 * Gives Node a `navigator.gpu` from Dawn (npm `webgpu`) unless one exists, and checks that it
 * has an adapter: Dawn needs a Vulkan driver (without a GPU, Mesa's lavapipe).
 */
export async function provideWebGpu(): Promise<void> {
  const scope = globalThis as { navigator?: { gpu?: GPU } };
  if (!scope.navigator?.gpu) {
    const dawn = (await importOptional('webgpu')) as { create(flags: string[]): GPU; globals: object };
    Object.assign(globalThis, dawn.globals);
    if (scope.navigator) Object.defineProperty(scope.navigator, 'gpu', { value: dawn.create([]), configurable: true });
    else scope.navigator = { gpu: dawn.create([]) };
  }
  if (!(await scope.navigator!.gpu!.requestAdapter())) {
    throw new Error('no WebGPU adapter: Dawn found no Vulkan driver (install one; bash scripts/setup.sh installs Mesa lavapipe)');
  }
}

async function importOptional(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch (e) {
    throw new Error(`${name} is not installed (${(e as Error).message.split('\n')[0]})`);
  }
}
