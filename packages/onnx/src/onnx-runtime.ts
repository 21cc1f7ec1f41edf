import { describe, LinearConvError, MissingDependencyError, requireTensor } from '@linearconv/core';
import type * as Ort from 'onnxruntime-common';

/**
 * What onnxruntime-web and onnxruntime-node share, typed from onnxruntime-common (the API both
 * re-export): pass either module, or anything with the same InferenceSession and Tensor.
 */
export type OnnxRuntime = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

/**
 * `web`: onnxruntime-web (its wasm backend; in Node it loads its .wasm from the package). The
 * Node entry, `@linearconv/onnx/node`, also offers `node`: onnxruntime-node's native CPU backend.
 */
export type OnnxRuntimeName = 'web';

/** A float32 tensor by shape and data, as models take and give them. */
export interface FloatTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Imports onnxruntime-web on first use (an optional peer dependency). The specifier is a literal
 * so that bundlers see it and bundle (or externalise) the runtime.
 */
export async function loadOnnxRuntime(name: OnnxRuntimeName = 'web'): Promise<OnnxRuntime> {
  if (name !== 'web') {
    throw new LinearConvError('name', `must be 'web' (onnxruntime-node: import loadOnnxRuntime from '@linearconv/onnx/node'), got ${describe(name)}`);
  }
  try {
    return await import('onnxruntime-web');
  } catch (e) {
    throw new MissingDependencyError("loadOnnxRuntime('web')", 'onnxruntime-web', e);
  }
}

/** Creates a session for `model`, runs it once on `feeds` and releases it: every output, as float32. */
export async function runModel(
  runtime: OnnxRuntime,
  model: Uint8Array,
  feeds: Readonly<Record<string, FloatTensor>>,
): Promise<Record<string, FloatTensor>> {
  if (typeof runtime?.InferenceSession?.create !== 'function' || typeof runtime.Tensor !== 'function') {
    throw new LinearConvError('runtime', `must be onnxruntime-web or onnxruntime-node (a module with InferenceSession and Tensor), got ${describe(runtime)}`);
  }
  if (!(model instanceof Uint8Array)) throw new LinearConvError('model', `must be the model's bytes (a Uint8Array), got ${describe(model)}`);
  if (feeds === null || typeof feeds !== 'object' || Array.isArray(feeds)) {
    throw new LinearConvError('feeds', `must be an object of input name → { shape, data }, got ${describe(feeds)}`);
  }
  const inputs = Object.entries(feeds).map(([name, t]) => [name, requireFloatTensor(`feeds.${name}`, t)] as const);
  const session = await runtime.InferenceSession.create(model);
  try {
    const results = await session.run(Object.fromEntries(inputs.map(([name, t]) => [name, new runtime.Tensor('float32', t.data, [...t.shape])])));
    return Object.fromEntries(
      Object.entries(results).map(([name, t]) => [name, { shape: t.dims.map(Number), data: new Float32Array(t.data as Float32Array) }]),
    );
  } finally {
    await session.release();
  }
}

function requireFloatTensor(field: string, t: FloatTensor): FloatTensor {
  requireTensor(field, t);
  if (!(t.data instanceof Float32Array)) throw new LinearConvError(`${field}.data`, `must be a Float32Array, got ${describe(t.data)}`);
  return t;
}
