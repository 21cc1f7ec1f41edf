import { describe, LinearConvError } from './errors.js';

/** Dense row-major storage. Core computes in whatever precision it is given. */
export type FloatArray = Float32Array | Float64Array;

export interface Tensor<T extends FloatArray = FloatArray> {
  readonly shape: readonly number[];
  readonly data: T;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A zeroed array of the same kind as `like`. */
export function zerosLike<T extends FloatArray>(like: T, length: number): T {
  return new (like.constructor as new (n: number) => T)(length);
}

export function requireLength(field: string, data: FloatArray | undefined, shape: readonly number[]): FloatArray {
  if (data === undefined) {
    throw new LinearConvError(field, `is required, with shape [${shape.join(', ')}]`);
  }
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new LinearConvError(field, 'must be a Float32Array or Float64Array');
  }
  const expected = sizeOf(shape);
  if (data.length !== expected) {
    throw new LinearConvError(field, `must hold ${expected} values for shape [${shape.join(', ')}], got ${data.length}`);
  }
  return data;
}

/** `value` as a Tensor: an object with an integer `shape` and a Float32Array or Float64Array `data` of that size. */
export function requireTensor(field: string, value: unknown): Tensor {
  if (value === null || typeof value !== 'object') {
    throw new LinearConvError(field, `must be a tensor { shape, data }, got ${describe(value)}`);
  }
  const { shape, data } = value as Partial<Tensor>;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new LinearConvError(`${field}.shape`, `must be an array of non-negative integers, got ${describe(shape)}`);
  }
  requireLength(`${field}.data`, data, shape);
  return value as Tensor;
}
