import { describe, LinearConvError } from '@linearconv/core';
import { contiguousStrides, DTYPES, stridedToFloat32 } from './dtypes.js';
import type { StateDict, StateDictValue, TorchDtype } from './state-dict.js';

const dtypes: Readonly<Record<string, TorchDtype>> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/** The largest header the format allows (100 MB, as the reference implementation). */
const MAX_HEADER = 100_000_000;

/**
 * Reads a safetensors file: an 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? }` and the packed
 * little-endian data. `__metadata__` is not part of the state dict.
 */
export function readSafetensors(bytes: Uint8Array): StateDict {
  const fail = (rule: string) => new LinearConvError('checkpoint', rule);
  if (bytes.byteLength < 8) throw fail('is too short for a safetensors file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.byteLength) throw fail(`has a safetensors header length of ${headerLength} bytes, beyond the file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw fail(`has an unreadable safetensors header (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fail('has a safetensors header that is not a JSON object');
  const data = bytes.subarray(8 + headerLength);
  const entries: [string, StateDictValue][] = [];
  for (const [key, info] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') continue;
    const { dtype: code, shape, data_offsets: offsets } = (info ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof code === 'string' && Object.hasOwn(dtypes, code) ? dtypes[code] : undefined;
    if (!dtype) throw new LinearConvError(key, `has safetensors dtype ${describe(code)}; readable: ${Object.keys(dtypes).join(', ')}`);
    const isIndex = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
    if (!Array.isArray(shape) || !shape.every(isIndex)) throw new LinearConvError(key, `has shape ${describe(shape)}, not a list of sizes`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) throw new LinearConvError(key, `has data_offsets ${describe(offsets)}`);
    const [begin, end] = offsets as [number, number];
    const size = shape.reduce((a: number, b: number) => a * b, 1) * DTYPES[dtype].bytes;
    if (end < begin || end > data.byteLength || end - begin !== size) {
      throw new LinearConvError(key, `has data_offsets [${begin}, ${end}], which do not hold ${size} bytes of ${dtype} [${shape}] within the ${data.byteLength} data bytes`);
    }
    const tensorBytes = data.subarray(begin, end);
    entries.push([key, Object.freeze({ dtype, shape: Object.freeze([...shape]), data: stridedToFloat32(key, tensorBytes, dtype, shape, contiguousStrides(shape), 0) })]);
  }
  return Object.freeze(Object.fromEntries(entries));
}
