import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replaced } from './program.js';

/**
 * wasm's Identity copies the tensor; the tape calls it for every tensor a gradient saves. tfjs
 * tensors are immutable (a Variable's assign swaps its data id), so sharing the data with one
 * more reference, as wasm's own Reshape and tfjs-cpu's Identity do, is the same result without
 * the copy. Strings keep wasm's kernel.
 */
export const identity: KernelFunc = ({ inputs: { x }, backend, attrs }) => {
  const t = x as TensorInfo;
  if (t.dtype === 'string') return replaced.get('Identity')!({ inputs: { x: t }, backend, attrs });
  (backend as unknown as { incRef(dataId: object): void }).incRef(t.dataId);
  return { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
};
