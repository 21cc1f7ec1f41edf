import * as tf from '@tensorflow/tfjs-core';
import type { TfjsBackendName } from './layer-backend.js';

/** The parts of a GPUAdapterInfo (WebGPU) that say which GPU, or which software renderer, it is. */
interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
}

/** What the active tfjs backend instances hold, read structurally: no backend's types are needed. */
interface BackendInternals {
  /** tfjs-backend-webgl: the WebGL context it draws with. */
  readonly gpgpu?: { readonly gl?: { getExtension(name: string): unknown; getParameter(p: number): unknown } };
  /** tfjs-backend-webgpu: its device, and the adapter info it read at creation. */
  readonly device?: { readonly adapterInfo?: AdapterInfoLike };
  readonly adapterInfo?: AdapterInfoLike;
  /** tfjs-backend-wasm: the module, whose thread count is what `getThreadsCount()` reports. */
  readonly wasm?: { readonly tfjs?: { getThreadsCount?(): number } };
}

/** `WebGPU: google swiftshader (SwiftShader Device (Subzero))`: the adapter's vendor, architecture and description. */
export function webgpuAdapterText(info: AdapterInfoLike | undefined): string {
  const named = [info?.vendor, info?.architecture].filter(Boolean).join(' ');
  const text = [named, info?.description ? `(${info.description})` : ''].filter(Boolean).join(' ');
  return `WebGPU: ${text || 'adapter without info'}`;
}

/**
 * What the active tfjs backend (`name`, just set) runs on: the WebGPU adapter, the WebGL renderer
 * (UNMASKED_RENDERER_WEBGL, which says when it is software: SwiftShader), wasm SIMD and threads.
 */
export async function tfjsAdapter(name: TfjsBackendName): Promise<string> {
  const backend = tf.backend() as unknown as BackendInternals;
  switch (name) {
    case 'cpu':
      return 'JavaScript (tfjs-backend-cpu)';
    case 'wasm': {
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = backend.wasm?.tfjs?.getThreadsCount?.() ?? 1;
      return `wasm ${simd ? 'SIMD' : 'without SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}`;
    }
    case 'webgl': {
      const gl = backend.gpgpu?.gl;
      // The extension's UNMASKED_RENDERER_WEBGL; without it, RENDERER (0x1F01), often masked.
      const debug = gl?.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null | undefined;
      const renderer = String(gl?.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : 0x1f01) ?? 'unknown renderer');
      const version = tf.env().getNumber('WEBGL_VERSION');
      // Without float32 render targets tfjs computes in float16, which the tolerance must know.
      const precision = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 'float32' : 'float16';
      return `WebGL ${version}: ${renderer}, ${precision} textures`;
    }
    case 'webgpu':
      return webgpuAdapterText(backend.device?.adapterInfo ?? backend.adapterInfo);
  }
}
