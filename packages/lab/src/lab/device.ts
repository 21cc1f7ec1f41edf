import type { DeviceInfo } from '@linearconv/conformance/bench';

type Adapter = { info?: { vendor?: string; architecture?: string; device?: string; description?: string } };
type Gpu = { requestAdapter(): Promise<Adapter | null> };

/**
 * This browser as the results record it: the user agent and cores, the WebGPU adapter's
 * GPUAdapterInfo and WebGL's unmasked vendor and renderer (WEBGL_debug_renderer_info), each left
 * out where the browser has none.
 */
export async function browserDevice(): Promise<DeviceInfo> {
  const gpu = await adapterInfo();
  const webgl = webglRenderer();
  return {
    runtime: navigator.userAgent,
    ...(navigator.platform && { platform: navigator.platform }),
    ...(navigator.hardwareConcurrency && { cpus: navigator.hardwareConcurrency }),
    ...(gpu && { gpu }),
    ...(webgl && { webgl }),
  };
}

async function adapterInfo(): Promise<DeviceInfo['gpu'] | undefined> {
  const gpu = (navigator as Navigator & { gpu?: Gpu }).gpu;
  try {
    const info = (await gpu?.requestAdapter())?.info;
    if (!info) return undefined;
    return { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
  } catch {
    return undefined;
  }
}

function webglRenderer(): DeviceInfo['webgl'] | undefined {
  const canvas = document.createElement('canvas');
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return undefined;
  try {
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    return debug
      ? { vendor: String(gl.getParameter(debug.UNMASKED_VENDOR_WEBGL)), renderer: String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL)) }
      : { vendor: String(gl.getParameter(gl.VENDOR)), renderer: String(gl.getParameter(gl.RENDERER)) };
  } finally {
    // Browsers cap live WebGL contexts: give this one back now rather than at garbage collection.
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}
