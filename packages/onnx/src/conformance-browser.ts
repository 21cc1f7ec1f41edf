// The browser build of ./conformance (export condition `browser`): nothing here imports node:* or
// onnxruntime-node; onnxruntime-web's builds are imported through literal specifiers, so bundlers see them.
import type { BackendFactory } from '@linearconv/conformance';
import { describe, LinearConvError, layerSpec, MissingDependencyError, requireOptions } from '@linearconv/core';
import type * as Ort from 'onnxruntime-common';
import type { ExportMode } from './conv.js';
import { exportLayer } from './export-layer.js';
import { runModel } from './onnx-runtime.js';
import { type LoadedRuntime, onnxRuntimeBackend, withSessionOptions } from './runtime-backend.js';

export { type LoadedRuntime, onnxRuntimeBackend, withSessionOptions } from './runtime-backend.js';

export interface OnnxBrowserBackendOptions {
  /**
   * Where onnxruntime-web fetches its .wasm (and .mjs) files, `env.wasm.wasmPaths`: a folder URL
   * ending in `/` that serves the package's dist/ files (`ort-wasm-simd-threaded.jsep.wasm`
   * for wasm and the WebGPU EP, `ort-wasm-simd-threaded.asyncify.wasm` for the native WebGPU
   * build), or `{ wasm, mjs }` URLs. By default onnxruntime-web looks beside its own script (a
   * bundler that copies the .wasm files, as vite does, needs nothing). Takes effect before the
   * page's first session of that build.
   */
  readonly wasmPaths?: string | { readonly wasm?: string; readonly mjs?: string };
}

type OrtModule = typeof Ort;

/**
 * For a page: `onnx-web-wasm-compact`/`-folded` (onnxruntime-web's wasm execution provider),
 * `onnx-web-webgpu-compact`/`-folded` (its WebGPU EP, JSEP, in the same main build) and
 * `onnx-web-webgpu-native-compact`/`-folded` (the native WebGPU EP of its `/webgpu` build).
 * Each imports onnxruntime-web (an optional peer) when created.
 */
export function onnxBrowserBackends(options?: OnnxBrowserBackendOptions): BackendFactory[] {
  const { wasmPaths } = requireOptions('options', options, ['wasmPaths']);
  if (wasmPaths !== undefined && typeof wasmPaths !== 'string' && !isPaths(wasmPaths)) {
    throw new LinearConvError('options.wasmPaths', `must be a folder URL or { wasm, mjs } URLs, got ${describe(wasmPaths)}`);
  }
  const main = () => load('onnxruntime-web', () => import('onnxruntime-web') as Promise<OrtModule>, wasmPaths);
  const native = () => load('onnxruntime-web/webgpu', () => import('onnxruntime-web/webgpu') as Promise<OrtModule>, wasmPaths);
  const modes: ExportMode[] = ['compact', 'folded'];
  return [
    ...modes.map((mode) => onnxRuntimeBackend(`onnx-web-wasm-${mode}`, mode, async () => wasmRuntime(await main()))),
    ...modes.map((mode) => onnxRuntimeBackend(`onnx-web-webgpu-${mode}`, mode, async () => webgpuRuntime(await main(), 'WebGPU EP (JSEP)'))),
    ...modes.map((mode) => onnxRuntimeBackend(`onnx-web-webgpu-native-${mode}`, mode, async () => webgpuRuntime(await native(), 'native WebGPU EP (/webgpu build)'))),
  ];
}

/** Imports one onnxruntime-web build and sets its wasm paths and threads before its first session. */
async function load(specifier: string, imported: () => Promise<OrtModule>, wasmPaths: OnnxBrowserBackendOptions['wasmPaths']): Promise<OrtModule> {
  let ort: OrtModule;
  try {
    ort = await imported();
  } catch (e) {
    throw new MissingDependencyError(`the ${specifier} backends`, 'onnxruntime-web', e);
  }
  if (wasmPaths !== undefined) ort.env.wasm.wasmPaths = wasmPaths as string;
  // Threads need SharedArrayBuffer, which only a cross-origin isolated page has: without it,
  // one thread, said here rather than by onnxruntime-web's warning.
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) ort.env.wasm.numThreads = 1;
  return ort;
}

function version(ort: OrtModule): string {
  return `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common}`;
}

async function wasmRuntime(ort: OrtModule): Promise<LoadedRuntime> {
  const runtime = withSessionOptions(ort, { executionProviders: ['wasm'] });
  await warmUp(runtime);
  const threads = ort.env.wasm.numThreads ?? 1;
  return { runtime, adapter: `${version(ort)} wasm EP: SIMD, ${threads} thread${threads === 1 ? '' : 's'}` };
}

async function webgpuRuntime(ort: OrtModule, provider: string): Promise<LoadedRuntime> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) throw new Error('no WebGPU in this browser: navigator.gpu is missing');
  if (!(await gpu.requestAdapter())) throw new Error('no WebGPU adapter: navigator.gpu.requestAdapter() returned null');
  const runtime = withSessionOptions(ort, { executionProviders: ['webgpu'] });
  // The first session starts the EP (and fails here, as unavailable, where it cannot).
  await warmUp(runtime);
  const device = (await ort.env.webgpu.device) as { adapterInfo?: AdapterInfoLike } | undefined;
  return { runtime, adapter: `${version(ort)} ${provider} on ${webgpuAdapterText(device?.adapterInfo)}`, gpu: true };
}

/** Runs a one-filter 1×1 layer once: initialises the runtime's wasm and, for WebGPU, its device. */
async function warmUp(runtime: LoadedRuntime['runtime']): Promise<void> {
  const spec = layerSpec({ inChannels: 1, outChannels: 2, kernelSize: 1, primaryFilters: 1, useBias: false });
  const weights = { primary: new Float32Array([1]), coefficients: new Float32Array([2]) };
  const model = exportLayer(spec, weights, { mode: 'compact', batch: 1, inputSize: [1, 1] });
  await runModel(runtime, model, { input: { shape: [1, 1, 1, 1], data: new Float32Array([1]) } });
}

interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
}

/** `WebGPU: google swiftshader (…)`: the adapter's vendor, architecture and description. */
function webgpuAdapterText(info: AdapterInfoLike | undefined): string {
  const named = [info?.vendor, info?.architecture].filter(Boolean).join(' ');
  const text = [named, info?.description ? `(${info.description})` : ''].filter(Boolean).join(' ');
  return `WebGPU: ${text || 'adapter without info'}`;
}

function isPaths(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([key, v]) => (key === 'wasm' || key === 'mjs') && typeof v === 'string');
}
