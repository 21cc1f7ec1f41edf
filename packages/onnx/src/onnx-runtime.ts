import type * as OrtWeb from 'onnxruntime-web';

/** What onnxruntime-web and onnxruntime-node share (onnxruntime-common's API). */
export type OnnxRuntime = Pick<typeof OrtWeb, 'InferenceSession' | 'Tensor'>;

/**
 * `web`: onnxruntime-web's wasm backend (in Node it loads its .wasm from the package);
 * `node`: onnxruntime-node's native CPU backend.
 */
export type OnnxRuntimeName = 'web' | 'node';

/** A float32 tensor by shape and data, as models take and give them. */
export interface FloatTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Imports the runtime on first use; both are optional peer dependencies. */
export async function loadOnnxRuntime(name: OnnxRuntimeName): Promise<OnnxRuntime> {
  const specifier = name === 'web' ? 'onnxruntime-web' : 'onnxruntime-node';
  try {
    return (await import(specifier)) as OnnxRuntime;
  } catch (e) {
    throw new Error(`${specifier} is not installed (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Creates a session for `model`, runs it once on `feeds` and releases it: every output, as float32. */
export async function runModel(
  runtime: OnnxRuntime,
  model: Uint8Array,
  feeds: Readonly<Record<string, FloatTensor>>,
): Promise<Record<string, FloatTensor>> {
  const session = await runtime.InferenceSession.create(model);
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new runtime.Tensor('float32', t.data, [...t.shape])]));
    const results = await session.run(inputs);
    return Object.fromEntries(
      Object.entries(results).map(([name, t]) => [name, { shape: t.dims.map(Number), data: new Float32Array(t.data as Float32Array) }]),
    );
  } finally {
    await session.release();
  }
}
