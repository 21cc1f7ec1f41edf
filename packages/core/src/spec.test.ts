import { errorOf } from '@linearconv/test-support';
import { describe, expect, it } from 'vitest';
import { LinearConvError } from './errors.js';
import { convGeometry, filterLength, layerSpec, outputShape, secondaryFilters, weightShapes } from './spec.js';

describe('layerSpec', () => {
  it('fills the defaults: p = floor(F/2), full coefficients, valid padding, bias', () => {
    const spec = layerSpec({ inChannels: 3, outChannels: 7, kernelSize: 3 });
    expect(spec).toEqual({
      inChannels: 3,
      outChannels: 7,
      kernelSize: [3, 3],
      strides: [1, 1],
      padding: 'valid',
      dilation: [1, 1],
      groups: 1,
      useBias: true,
      primaryFilters: 3,
      coefficients: { kind: 'full' },
    });
    expect(filterLength(spec)).toBe(27);
    expect(secondaryFilters(spec)).toBe(4);
  });

  it('gives the weight shapes for full and low-rank coefficients', () => {
    const full = layerSpec({ inChannels: 4, outChannels: 6, kernelSize: [3, 1], groups: 2, useBias: false });
    expect(weightShapes(full)).toEqual({ primary: [3, 2, 3, 1], coefficients: [3, 3], filters: [6, 2, 3, 1] });
    const low = layerSpec({
      inChannels: 2,
      outChannels: 8,
      kernelSize: 1,
      primaryFilters: 3,
      coefficients: { kind: 'lowRank', rank: 2 },
    });
    expect(weightShapes(low)).toEqual({ primary: [3, 2, 1, 1], column: [5, 2], row: [2, 3], bias: [8], filters: [8, 2, 1, 1] });
  });

  it('accepts a rank above min(p, F − p): legal, only wasteful', () => {
    const spec = layerSpec({ inChannels: 1, outChannels: 16, kernelSize: 3, coefficients: { kind: 'lowRank', rank: 10 } });
    expect(spec.coefficients).toEqual({ kind: 'lowRank', rank: 10 });
  });

  it.each([
    [{ inChannels: 0 }, 'inChannels'],
    [{ inChannels: 2.5 }, 'inChannels'],
    [{ outChannels: 1 }, 'outChannels'],
    [{ primaryFilters: 0 }, 'primaryFilters'],
    [{ primaryFilters: 8 }, 'primaryFilters'],
    [{ primaryFilters: 1.5 }, 'primaryFilters'],
    [{ groups: 3 }, 'groups'],
    [{ groups: 4, outChannels: 6 }, 'groups'],
    [{ kernelSize: 0 }, 'kernelSize'],
    [{ kernelSize: [3] }, 'kernelSize'],
    [{ kernelSize: [3, -1] }, 'kernelSize[1]'],
    [{ strides: [1, 0] }, 'strides[1]'],
    [{ dilation: 0 }, 'dilation'],
    [{ padding: 'full' }, 'padding'],
    [{ padding: [1, 1, 1] }, 'padding'],
    [{ padding: [1, -1, 1, 1] }, 'padding'],
    [{ coefficients: { kind: 'lowRank', rank: 0 } }, 'coefficients.rank'],
    [{ coefficients: { kind: 'sparse' } }, 'coefficients'],
    [{ useBias: 'yes' }, 'useBias'],
  ])('rejects %j naming %s', (patch, field) => {
    const input = { inChannels: 4, outChannels: 8, kernelSize: 3, ...patch };
    expect(errorOf(() => layerSpec(input as never), LinearConvError).field).toBe(field);
  });

  it('does not mutate its input', () => {
    const input = { inChannels: 2, outChannels: 4, kernelSize: [3, 3] as [number, number], padding: [0, 1, 1, 0] as const };
    const copy = structuredClone(input);
    layerSpec(input);
    expect(input).toEqual(copy);
  });
});

describe('convGeometry', () => {
  const base = { kernelSize: [3, 3], strides: [1, 1], dilation: [1, 1] } as const;

  it('follows TensorFlow same padding: the odd pixel goes at the end', () => {
    // in 8, stride 2, k 3: out 4, total pad (4−1)·2 + 3 − 8 = 1 → [0, 1]
    expect(convGeometry({ ...base, strides: [2, 2], padding: 'same' }, 8, 8)).toEqual({
      outHeight: 4,
      outWidth: 4,
      padding: [0, 1, 0, 1],
    });
    // in 7, stride 2, k 3: out 4, total pad 3·2 + 3 − 7 = 2 → [1, 1]
    expect(convGeometry({ ...base, strides: [2, 2], padding: 'same' }, 7, 7).padding).toEqual([1, 1, 1, 1]);
    // stride 1 keeps the size; k 4 pads [1, 2]
    expect(convGeometry({ ...base, kernelSize: [4, 4], padding: 'same' }, 5, 5)).toEqual({
      outHeight: 5,
      outWidth: 5,
      padding: [1, 2, 1, 2],
    });
    // dilation 2 makes a 3-kernel span 5: total pad 4
    expect(convGeometry({ ...base, dilation: [2, 2], padding: 'same' }, 6, 6).padding).toEqual([2, 2, 2, 2]);
  });

  it('handles valid and explicit asymmetric padding', () => {
    expect(convGeometry({ ...base, padding: 'valid' }, 5, 6)).toEqual({ outHeight: 3, outWidth: 4, padding: [0, 0, 0, 0] });
    // height 5 + 2 + 0 = 7 → 5; width 4 + 0 + 3 = 7, stride 2 → 3
    expect(convGeometry({ ...base, strides: [1, 2], padding: [2, 0, 0, 3] }, 5, 4)).toEqual({
      outHeight: 5,
      outWidth: 3,
      padding: [2, 0, 0, 3],
    });
  });

  it('rejects a kernel larger than the padded input', () => {
    const error = errorOf(() => convGeometry({ ...base, kernelSize: [5, 5], padding: 'valid' }, 4, 8), LinearConvError);
    expect(error.field).toBe('kernelSize');
    expect(error.rule).toMatch(/height 5 .* exceeds the padded input height 4/);
    expect(errorOf(() => convGeometry({ ...base, dilation: [1, 3], padding: [0, 0, 1, 1] }, 9, 4), LinearConvError).field).toBe(
      'kernelSize',
    );
  });

  it('outputShape checks the input', () => {
    const spec = layerSpec({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 'same' });
    expect(outputShape(spec, [2, 3, 9, 9])).toEqual([2, 4, 9, 9]);
    expect(errorOf(() => outputShape(spec, [2, 4, 9, 9]), LinearConvError).field).toBe('input.shape[1]');
    expect(errorOf(() => outputShape(spec, [3, 9, 9]), LinearConvError).field).toBe('input.shape');
  });
});
