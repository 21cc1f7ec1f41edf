import { describe, LinearConvError, requireOptions } from '@linearconv/core';
import { GpuUnavailableError } from './errors.js';
import { requireString } from './gpu-arguments.js';

export const SETUP_HINT =
  'Dawn needs a Vulkan driver: on Debian or Ubuntu `bash scripts/setup.sh` installs Mesa lavapipe ' +
  '(apt-get install mesa-vulkan-drivers; Debian 12 needs it from bookworm-backports), ' +
  "on a machine with a GPU install its vendor's Vulkan driver";

let platformGpu: (() => Promise<GPU>) | undefined;

/** Where `getGpu` turns when there is no `navigator.gpu`: the Node build (`dawn.ts`) sets Dawn. */
export function setPlatformGpu(load: () => Promise<GPU>): void {
  platformGpu = load;
}

/**
 * The platform's WebGPU entry point: `navigator.gpu` where there is one (browsers, Deno), else
 * Dawn from the npm package `webgpu`, which this package's Node build (its `node` export
 * condition) loads; one Dawn instance per process, shared.
 */
export function getGpu(): Promise<GPU> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu) return Promise.resolve(gpu);
  if (platformGpu) return platformGpu();
  return Promise.reject(
    new GpuUnavailableError(
      'no WebGPU here: navigator.gpu is missing, and this is not the Node build of @linearconv/webgpu (which loads Dawn, npm install webgpu); pass { gpu } to requestDevice to use another WebGPU',
    ),
  );
}

export interface RequestDeviceOptions {
  /** Where to ask for an adapter; `getGpu()` by default. */
  readonly gpu?: GPU;
  readonly powerPreference?: GPUPowerPreference;
  /** Device label, shown in the driver's messages. */
  readonly label?: string;
}

/** The limits the kernels are bounded by: asked for at the adapter's maximum. */
const WANTED_LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize'] as const;

/**
 * A device for the kernels: the adapter's best buffer limits, nothing else. Throws
 * GpuUnavailableError saying why and what to install when there is no adapter.
 */
export async function requestDevice(options?: RequestDeviceOptions): Promise<GPUDevice> {
  const { gpu: given, powerPreference, label } = requireOptions('options', options, ['gpu', 'powerPreference', 'label']);
  if (given !== undefined && typeof (given as Partial<GPU> | null)?.requestAdapter !== 'function') {
    throw new LinearConvError('gpu', `must be a GPU (navigator.gpu, or Dawn's create()), got ${describe(given)}`);
  }
  if (powerPreference !== undefined && powerPreference !== 'low-power' && powerPreference !== 'high-performance') {
    throw new LinearConvError('powerPreference', `must be 'low-power' or 'high-performance', got ${describe(powerPreference)}`);
  }
  if (label !== undefined) requireString('label', label);
  const gpu = given ?? (await getGpu());
  const adapter = await gpu.requestAdapter(powerPreference ? { powerPreference } : undefined);
  if (!adapter) {
    const inBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined';
    throw new GpuUnavailableError(
      inBrowser
        ? 'no WebGPU adapter: the browser offers navigator.gpu but no adapter (Chromium needs a supported GPU, or --enable-unsafe-webgpu with a software Vulkan such as SwiftShader)'
        : `no WebGPU adapter: Dawn found no usable Vulkan driver. ${SETUP_HINT}`,
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  return adapter.requestDevice({ requiredLimits, ...(label !== undefined && { label }) });
}
