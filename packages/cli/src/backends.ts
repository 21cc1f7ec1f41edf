import { type BackendFactory, BackendRegistry, referenceFactory } from '@linearconv/conformance';
import { LinearConvError, MissingDependencyError } from '@linearconv/core';

/** A backend whose adapter is imported only when it is used, so `linearconv params` stays quick. */
function lazy(name: string, load: () => Promise<readonly BackendFactory[]>): BackendFactory {
  return {
    name,
    async create() {
      const factory = (await load()).find((f) => f.name === name);
      if (!factory) throw new Error(`the adapter provides no backend named ${name}`);
      return factory.create();
    },
  };
}

/**
 * Imports an optional peer dependency. When it (or a package it needs) is not installed, throws a
 * MissingDependencyError naming the package to install and `feature`, what needed it.
 */
export async function adapter<T>(packageName: string, load: () => Promise<T>, feature = 'an optional dependency'): Promise<T> {
  try {
    return await load();
  } catch (e) {
    // "Cannot find package 'X' imported from …": X may be a dependency of packageName, not itself.
    // (A missing file of an installed package is a broken install, not this: it is rethrown.)
    const message = String((e as Error).message);
    const missing = /^Cannot find package '([^']+)'/.exec(message)?.[1] ?? (message.startsWith('Cannot find module') ? undefined : packageName);
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || missing === undefined) throw e;
    throw new MissingDependencyError(feature, missing, e);
  }
}

/**
 * Makes sure tfjs has a backend to hold tensors: a process has none until one is imported, so
 * the CPU backend (an optional peer) is loaded when no other is registered. (No tfjs type in its
 * signature: the CLI's declarations must not need tfjs.)
 */
export async function ensureTfjsBackend(feature: string): Promise<void> {
  const tf = await adapter('@tensorflow/tfjs-core', () => import('@tensorflow/tfjs-core'), feature);
  if (Object.keys(tf.engine().registryFactory).length === 0) {
    await adapter('@tensorflow/tfjs-backend-cpu', () => import('@tensorflow/tfjs-backend-cpu'), feature);
  }
}

const tfjs = async () => (await adapter('@linearconv/tfjs', () => import('@linearconv/tfjs/conformance'), 'the tfjs backends')).tfjsBackends;
const onnx = async () => (await adapter('@linearconv/onnx', () => import('@linearconv/onnx/conformance'), 'the onnx backends')).onnxBackends;
const webgpu = async () => (await adapter('@linearconv/webgpu', () => import('@linearconv/webgpu/conformance'), 'the webgpu backend')).webgpuBackends;

/**
 * The adapters' browser backends that have no Node counterpart (tfjs-cpu, tfjs-wasm, tfjs-webgpu
 * and webgpu run in both): `linearconv lab` runs them in a page.
 */
export const BROWSER_ONLY_BACKENDS: readonly string[] = Object.freeze([
  'tfjs-webgl',
  'onnx-web-wasm-compact',
  'onnx-web-wasm-folded',
  'onnx-web-webgpu-compact',
  'onnx-web-webgpu-folded',
  'onnx-web-webgpu-native-compact',
  'onnx-web-webgpu-native-folded',
]);

/** The CLI's registry: a browser-only name is refused with where it does run, not as unknown. */
class NodeBackendRegistry extends BackendRegistry {
  override get(name: string): BackendFactory {
    if (BROWSER_ONLY_BACKENDS.includes(name)) throw new LinearConvError('--backend', `${name} runs only in a browser: try \`linearconv lab\``);
    return super.get(name);
  }
}

/** Every backend the CLI knows, in the order `linearconv conformance` and `linearconv bench` run them. */
export function knownBackends(): BackendRegistry {
  return new NodeBackendRegistry([
    referenceFactory,
    ...['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu'].map((name) => lazy(name, tfjs)),
    ...['onnx-wasm-compact', 'onnx-wasm-folded', 'onnx-node-compact', 'onnx-node-folded'].map((name) => lazy(name, onnx)),
    lazy('webgpu', webgpu),
  ]);
}
