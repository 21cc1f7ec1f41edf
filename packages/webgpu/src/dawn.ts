import { SETUP_HINT, setPlatformGpu } from './device.js';
import { GpuUnavailableError } from './errors.js';

// Node only: WebGPU from Dawn (the npm package `webgpu`), imported by the Node build's entries
// (node.ts, conformance-node.ts) so that browser bundles never see it.

let dawn: Promise<GPU> | undefined;

setPlatformGpu(() => {
  dawn ??= loadDawn();
  return dawn;
});

async function loadDawn(): Promise<GPU> {
  try {
    const { create } = await import('webgpu');
    return create([]);
  } catch (e) {
    dawn = undefined;
    throw new GpuUnavailableError(
      `no WebGPU here: navigator.gpu is missing and the Node package "webgpu" (Dawn) could not be loaded ` +
        `(${(e as Error).message.split('\n')[0]}); install it with \`npm install webgpu\`. ${SETUP_HINT}`,
    );
  }
}
