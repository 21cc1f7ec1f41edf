/** The element types a checkpoint may store; every one is read into float32 values. */
export type TorchDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * One tensor of a checkpoint: its stored dtype, its shape (PyTorch's order, [] for a 0-d tensor)
 * and its values as float32 in row-major (C) order, whatever the stored strides were.
 * float64 and int64 values are rounded to the nearest float32; bool is 0 or 1.
 */
export interface TorchTensor {
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** What a state_dict entry may hold: a tensor or a plain value. */
export type StateDictValue = TorchTensor | number | boolean | string | null;

/** A framework-agnostic state dict: the checkpoint's keys, in their stored order. */
export type StateDict = { readonly [key: string]: StateDictValue };

/** True for a tensor entry (rather than a plain value). */
export function isTorchTensor(value: unknown): value is TorchTensor {
  return typeof value === 'object' && value !== null && (value as TorchTensor).data instanceof Float32Array && Array.isArray((value as TorchTensor).shape);
}
