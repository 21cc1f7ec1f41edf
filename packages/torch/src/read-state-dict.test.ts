import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinearConvError } from '@linearconv/core';
import { errorOf, rejectionOf } from '@linearconv/test-support';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
// Fixtures written by scripts/torch/make_fixtures.py with PyTorch (committed, so no torch is needed here).
import { fixturesDir } from '../fixtures/pattern.js';
import { checkpointFormat, isTorchTensor, readSafetensors, readStateDict, type TorchTensor } from './index.js';
import { readTorchFile } from './node.js';

const fixture = (name: string) => new Uint8Array(readFileSync(join(fixturesDir, name)));
const expected = JSON.parse(readFileSync(join(fixturesDir, 'tiny-dtypes.json'), 'utf8')) as {
  tensors: Record<string, { dtype: string; shape: number[]; contiguous: boolean; data: number[] }>;
  plain: Record<string, unknown>;
};

function expectTensorsAsPyTorch(sd: Record<string, unknown>) {
  for (const [key, want] of Object.entries(expected.tensors)) {
    const got = sd[key] as TorchTensor;
    expect(isTorchTensor(got), key).toBe(true);
    expect({ key, dtype: got.dtype, shape: got.shape }).toEqual({ key, dtype: want.dtype, shape: want.shape });
    // Exact: PyTorch's values rounded to float32, as float64 JSON numbers.
    expect(Array.from(got.data), key).toEqual(want.data);
  }
}

/** A zip like torch.save's, with `pickle` as its data.pkl. */
function zipWithPickle(pickle: number[], extra: Record<string, Uint8Array> = {}) {
  return zipSync({ 'archive/data.pkl': new Uint8Array(pickle), 'archive/version': strToU8('3\n'), ...extra }, { level: 0 });
}
const ascii = (text: string) => Array.from(strToU8(text));
const PROTO2 = [0x80, 0x02];
const ORDERED_DICT = [...ascii('ccollections\nOrderedDict\n'), 0x29 /* EMPTY_TUPLE */, 0x52 /* REDUCE */];
const STOP = 0x2e;

describe('readStateDict: torch.save zip files', () => {
  it('reads every dtype, 0-d, transposed, sliced, shared and expanded views as PyTorch holds them', () => {
    const sd = readStateDict(fixture('tiny-dtypes.pt'));
    expectTensorsAsPyTorch(sd);
    expect(Object.values(expected.tensors).some((t) => !t.contiguous)).toBe(true);
    for (const [key, value] of Object.entries(expected.plain)) expect(sd[key], key).toEqual(value);
    expect(Object.keys(sd)).toEqual([...Object.keys(expected.tensors), ...Object.keys(expected.plain)]);
  });

  it("picks model_state_dict out of the authors' checkpoint dict ({ epoch, model_state_dict, opt })", () => {
    const sd = readStateDict(fixture('tiny-wrapped.pt'));
    const keys = JSON.parse(readFileSync(join(fixturesDir, 'tiny-wrapped.json'), 'utf8')).keys as Record<string, number[]>;
    expect(Object.keys(sd)).toEqual(Object.keys(keys));
    for (const [key, shape] of Object.entries(keys)) expect((sd[key] as TorchTensor).shape, key).toEqual(shape);
    expect(readStateDict(fixture('tiny-wrapped.pt'), { entry: 'model_state_dict' })).toEqual(sd);
    // Adam's state is a dict of dicts: not a state dict.
    expect(errorOf(() => readStateDict(fixture('tiny-wrapped.pt'), { entry: 'opt' }), LinearConvError).field).toBe('state');
    expect(errorOf(() => readStateDict(fixture('tiny-wrapped.pt'), { entry: 'weights' }), LinearConvError).message).toMatch(
      /entry: .*"weights" is not one of its keys \(keys: "epoch", "model_state_dict", "opt"\)/,
    );
  });

  it('refuses a pickled nn.Module by the class it names, and the legacy format by name', () => {
    const module = errorOf(() => readStateDict(fixture('module-pickle.pt')), LinearConvError);
    expect(module.message).toMatch(/^checkpoint: pickles __main__\.TinyNet, which is not part of a tensor state dict/);
    expect(errorOf(() => readStateDict(fixture('legacy.pt')), LinearConvError).message).toMatch(/legacy torch\.save format/);
    expect(checkpointFormat(fixture('legacy.pt'))).toBe('torch-legacy');
    expect(errorOf(() => readStateDict(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), LinearConvError).rule).toMatch(/neither a torch\.save zip file nor a safetensors file/);
  });

  it('never runs or constructs what a pickle names: os.system is refused at its GLOBAL, NEWOBJ fails', () => {
    const system = zipWithPickle([...PROTO2, ...ascii('cos\nsystem\n'), 0x58, 4, 0, 0, 0, ...ascii('echo'), 0x85, 0x52, STOP]);
    expect(errorOf(() => readStateDict(system), LinearConvError).rule).toMatch(/^pickles os\.system, which is not part of a tensor state dict/);
    // NEWOBJ on an allowed builder: the builders are not constructors.
    const construct = zipWithPickle([...PROTO2, ...ascii('ccollections\nOrderedDict\n'), 0x29, 0x81, STOP]);
    expect(errorOf(() => readStateDict(construct), LinearConvError).rule).toMatch(/^is not a readable tensor state dict pickle/);
    // A dict whose value is a list: refused by its key.
    const list = zipWithPickle([...PROTO2, ...ORDERED_DICT, 0x58, 1, 0, 0, 0, ...ascii('a'), 0x5d /* EMPTY_LIST */, 0x73 /* SETITEM */, STOP]);
    expect(errorOf(() => readStateDict(list, { entry: undefined }), LinearConvError).message).toMatch(/^checkpoint: is a dict whose entries are not all tensors/);
  });

  it('keeps a "__proto__" key an ordinary key (no prototype is reached)', () => {
    const proto = zipWithPickle([...PROTO2, ...ORDERED_DICT, 0x58, 9, 0, 0, 0, ...ascii('__proto__'), 0x4b, 5 /* BININT1 5 */, 0x73, STOP]);
    const sd = readStateDict(proto);
    expect(Object.hasOwn(sd, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(sd)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(sd, '__proto__')?.value).toBe(5);
  });

  it('refuses big-endian storages and views that reach outside their storage, by key', () => {
    const files = unzipSync(fixture('tiny-dtypes.pt'));
    const root = Object.keys(files)[0].split('/')[0];
    const big = zipSync({ ...files, [`${root}/byteorder`]: strToU8('big') }, { level: 0 });
    expect(errorOf(() => readStateDict(big), LinearConvError).rule).toMatch(/big-endian; only little-endian/);
    // Every storage emptied: the first tensor (f32) reads past its end.
    const emptied = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, name.includes('/data/') ? new Uint8Array(0) : bytes]));
    const error = errorOf(() => readStateDict(zipSync(emptied, { level: 0 })), LinearConvError);
    expect(error.field).toBe('f32');
    expect(error.rule).toMatch(/reads element 5 of a storage of 0 float32 values/);
  });

  it('readTorchFile reads a path and names it in errors', async () => {
    const path = join(fixturesDir, 'tiny-dtypes.pt');
    expect(await readTorchFile(path)).toEqual(readStateDict(fixture('tiny-dtypes.pt')));
    expect((await rejectionOf(readTorchFile(join(fixturesDir, 'module-pickle.pt')), LinearConvError)).field).toBe(join(fixturesDir, 'module-pickle.pt'));
    expect((await rejectionOf(readTorchFile(join(fixturesDir, 'missing.pt')), LinearConvError)).field).toBe('path');
  });
});

describe('readStateDict: safetensors', () => {
  it('reads every dtype as PyTorch wrote it, without the metadata', () => {
    const sd = readStateDict(fixture('tiny-dtypes.safetensors'));
    expect(checkpointFormat(fixture('tiny-dtypes.safetensors'))).toBe('safetensors');
    expectTensorsAsPyTorch(sd);
    expect(Object.keys(sd)).toEqual(Object.keys(expected.tensors));
  });

  /** A safetensors file from a header and data bytes. */
  function safetensors(header: object, data: Uint8Array) {
    const json = strToU8(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  }

  it('converts float16 subnormals, infinities and NaN', () => {
    // Bit patterns: smallest subnormal, 1, 65504 (max), +Inf, -Inf, NaN, -0.
    const bits = new Uint16Array([0x0001, 0x3c00, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x8000]);
    const sd = readSafetensors(safetensors({ h: { dtype: 'F16', shape: [7], data_offsets: [0, 14] } }, new Uint8Array(bits.buffer)));
    expect(Array.from((sd.h as TorchTensor).data)).toEqual([2 ** -24, 1, 65504, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -0]);
  });

  it('refuses an unknown dtype and offsets that do not hold the tensor, by key', () => {
    const data = new Uint8Array(16);
    expect(errorOf(() => readSafetensors(safetensors({ w: { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }, data)), LinearConvError).message).toMatch(
      /^w: has safetensors dtype "F8_E4M3"/,
    );
    expect(errorOf(() => readSafetensors(safetensors({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }, data)), LinearConvError).message).toMatch(
      /^w: has data_offsets \[0, 16\], which do not hold 24 bytes of float32 \[2,3\]/,
    );
    expect(errorOf(() => readSafetensors(new Uint8Array([255, 0, 0, 0, 0, 0, 0, 0, 0x7b])), LinearConvError).rule).toMatch(/header length of 255 bytes, beyond the file/);
  });
});
