import { describe, LinearConvError } from '@linearconv/core';

/**
 * One tensor of a PyTorch state dict, by its structure (what @linearconv/torch's readers
 * return, or anything shaped the same): PyTorch's shape and row-major values.
 */
export interface TorchTensorLike {
  readonly dtype?: string;
  readonly shape: readonly number[];
  readonly data: Float32Array | ArrayLike<number>;
}

/** A PyTorch state dict by its structure: keys to tensors or plain values. */
export type TorchStateDictLike = { readonly [key: string]: TorchTensorLike | number | boolean | string | null | undefined };

export function isTensorLike(value: unknown): value is TorchTensorLike {
  return typeof value === 'object' && value !== null && Array.isArray((value as TorchTensorLike).shape) && typeof (value as TorchTensorLike).data?.length === 'number';
}

/** The tensor under `key`, or undefined; own keys only (a key named "constructor" is just a key). */
export function tensorAt(stateDict: TorchStateDictLike, key: string): TorchTensorLike | undefined {
  if (!Object.hasOwn(stateDict, key)) return undefined;
  const value = stateDict[key];
  if (!isTensorLike(value)) throw new LinearConvError(key, `must be a tensor, got ${describe(value)}`);
  const count = value.shape.reduce((a, b) => a * b, 1);
  if (value.data.length !== count) throw new LinearConvError(key, `has shape [${value.shape}] (${count} values) but ${value.data.length} values`);
  return value;
}

export function requireStateDict(stateDict: unknown): TorchStateDictLike {
  if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
    throw new LinearConvError('stateDict', `must be an object of tensors (from @linearconv/torch's readStateDict), got ${describe(stateDict)}`);
  }
  return stateDict as TorchStateDictLike;
}

export const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
