import { type BackendFactory, BackendRegistry, referenceFactory } from '@linearconv/conformance';

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

/** Adapters are optional peers: a missing one makes its backends unavailable, with the reason. */
export async function adapter<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new Error(`${name} is not installed (npm install ${name})`);
    throw e;
  }
}

const tfjs = async () => (await adapter('@linearconv/tfjs', () => import('@linearconv/tfjs/conformance'))).tfjsBackends;
const onnx = async () => (await adapter('@linearconv/onnx', () => import('@linearconv/onnx/conformance'))).onnxBackends;
const webgpu = async () => (await adapter('@linearconv/webgpu', () => import('@linearconv/webgpu/conformance'))).webgpuBackends;

/** Every backend the CLI knows, in the order `linearconv conformance` and `linearconv bench` run them. */
export function knownBackends(): BackendRegistry {
  return new BackendRegistry([
    referenceFactory,
    ...['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu'].map((name) => lazy(name, tfjs)),
    ...['onnx-wasm-compact', 'onnx-wasm-folded', 'onnx-node-compact', 'onnx-node-folded'].map((name) => lazy(name, onnx)),
    lazy('webgpu', webgpu),
  ]);
}
