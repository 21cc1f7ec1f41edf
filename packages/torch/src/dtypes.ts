import { LinearConvError } from '@linearconv/core';
import type { TorchDtype } from './state-dict.js';

interface DtypeInfo {
  readonly bytes: number;
  /** Element `index` of `view` (little-endian) as a number. */
  read(view: DataView, index: number): number;
}

const le = true;

/** IEEE half precision to float64 (exact). */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const scratch = new DataView(new ArrayBuffer(4));

export const DTYPES: Readonly<Record<TorchDtype, DtypeInfo>> = {
  float32: { bytes: 4, read: (v, i) => v.getFloat32(i * 4, le) },
  float64: { bytes: 8, read: (v, i) => v.getFloat64(i * 8, le) },
  float16: { bytes: 2, read: (v, i) => half(v.getUint16(i * 2, le)) },
  bfloat16: {
    bytes: 2,
    read: (v, i) => {
      // bfloat16 is the upper half of a float32.
      scratch.setUint32(0, v.getUint16(i * 2, le) << 16, le);
      return scratch.getFloat32(0, le);
    },
  },
  int64: { bytes: 8, read: (v, i) => Number(v.getBigInt64(i * 8, le)) },
  int32: { bytes: 4, read: (v, i) => v.getInt32(i * 4, le) },
  int16: { bytes: 2, read: (v, i) => v.getInt16(i * 2, le) },
  int8: { bytes: 1, read: (v, i) => v.getInt8(i) },
  uint8: { bytes: 1, read: (v, i) => v.getUint8(i) },
  bool: { bytes: 1, read: (v, i) => (v.getUint8(i) ? 1 : 0) },
};

/**
 * The elements of a strided view into `bytes` (a storage of `dtype`), in row-major order, as
 * float32. `offset` and `strides` count elements, as PyTorch's do; any non-negative strides work
 * (transposed, sliced, expanded). A view reaching outside the storage is refused, naming `field`.
 */
export function stridedToFloat32(
  field: string,
  bytes: Uint8Array,
  dtype: TorchDtype,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): Float32Array {
  const info = DTYPES[dtype];
  const elements = Math.floor(bytes.byteLength / info.bytes);
  const count = shape.reduce((a, b) => a * b, 1);
  if (strides.length !== shape.length) {
    throw new LinearConvError(field, `has ${shape.length} dimensions but ${strides.length} strides`);
  }
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || strides.some((s) => !Number.isSafeInteger(s) || s < 0) || !Number.isSafeInteger(offset) || offset < 0) {
    throw new LinearConvError(field, `has an invalid view (shape [${shape}], strides [${strides}], offset ${offset})`);
  }
  const last = count === 0 ? offset - 1 : offset + shape.reduce((sum, d, i) => sum + (d - 1) * strides[i], 0);
  if (last >= elements) {
    throw new LinearConvError(field, `reads element ${last} of a storage of ${elements} ${dtype} values (shape [${shape}], strides [${strides}], offset ${offset})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (count === 0) return out;
  // An odometer over the shape: `index` is the storage element of the current position.
  const position = new Array<number>(shape.length).fill(0);
  let index = offset;
  for (let n = 0; n < count; n++) {
    out[n] = info.read(view, index);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++position[axis] < shape[axis]) {
        index += strides[axis];
        break;
      }
      index -= (shape[axis] - 1) * strides[axis];
      position[axis] = 0;
    }
  }
  return out;
}

/** Row-major strides of `shape`, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i];
  }
  return strides;
}
