/**
 * Where a run took place, recorded as the caller gives it: `nodeDevice()` (from
 * `@linearconv/conformance/node`) in Node; in a browser, the page builds it from the user agent,
 * GPUAdapterInfo and WEBGL_debug_renderer_info.
 */
export interface DeviceInfo {
  /** `node 20.20.0`, or the browser's user agent. */
  readonly runtime: string;
  readonly platform?: string;
  /** Logical CPU cores (os.cpus().length, navigator.hardwareConcurrency). */
  readonly cpus?: number;
  readonly cpuModel?: string;
  /** 1, 5 and 15-minute load averages when the run started (Node on Unix). */
  readonly loadAverage?: readonly number[];
  /** The WebGPU adapter's GPUAdapterInfo. */
  readonly gpu?: { readonly vendor: string; readonly architecture: string; readonly device?: string; readonly description?: string };
  /** WebGL's unmasked vendor and renderer (WEBGL_debug_renderer_info). */
  readonly webgl?: { readonly vendor: string; readonly renderer: string };
}

/** What the run has without being told: the user agent where there is one (browsers, Node 21+). */
export function unknownDevice(): DeviceInfo {
  const agent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  return { runtime: agent ?? 'unknown' };
}

/** One line for notes and page headers: `AMD EPYC, 2 cores, node 20.20.0, linux 6.1; GPU: google swiftshader`. */
export function describeDevice(device: DeviceInfo): string {
  const parts = [device.cpuModel, device.cpus !== undefined ? `${device.cpus} cores` : undefined, device.runtime, device.platform];
  const gpu = device.gpu && [device.gpu.vendor, device.gpu.architecture, device.gpu.description].filter(Boolean).join(' ');
  return [
    parts.filter(Boolean).join(', '),
    gpu ? `GPU: ${gpu}` : undefined,
    device.webgl ? `WebGL: ${device.webgl.renderer}` : undefined,
    device.loadAverage?.length ? `load average ${device.loadAverage[0].toFixed(1)} at the start` : undefined,
  ]
    .filter(Boolean)
    .join('; ');
}
