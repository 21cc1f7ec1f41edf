import { describe, expect, it } from 'vitest';
import { LinearConvError } from './errors.js';
import { type Conv2DOptions, conv2d, conv2dBackward } from './reference.js';
import type { ExplicitPadding, Pair } from './spec.js';
import { type FloatArray, sizeOf, type Tensor } from './tensor.js';

// ---------- helpers local to this file ----------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tensor(shape: number[], values: number[]): Tensor<Float64Array> {
  if (values.length !== sizeOf(shape)) throw new Error(`test data: ${values.length} values for [${shape}]`);
  return { shape, data: Float64Array.from(values) };
}

function range(n: number, start = 1): number[] {
  return Array.from({ length: n }, (_, k) => start + k);
}

function random(shape: number[], rand: () => number): Tensor<Float64Array> {
  return { shape, data: Float64Array.from({ length: sizeOf(shape) }, () => rand() * 2 - 1) };
}

function opts(o: Partial<Conv2DOptions> = {}): Conv2DOptions {
  return { strides: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1, ...o };
}

function dot(a: FloatArray, b: FloatArray): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

function expectClose(actual: FloatArray, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < actual.length; k++) {
    const scale = Math.max(1, Math.abs(expected[k]));
    if (Math.abs(actual[k] - expected[k]) > tol * scale) {
      throw new Error(`index ${k}: got ${actual[k]}, expected ${expected[k]} (tol ${tol})`);
    }
  }
}

/** Channels [start, end) of an NCHW tensor. */
function sliceChannels(t: Tensor, start: number, end: number): Tensor<Float64Array> {
  const [n, c, h, w] = t.shape;
  const plane = h * w;
  const out = new Float64Array(n * (end - start) * plane);
  for (let b = 0; b < n; b++) {
    out.set(t.data.subarray((b * c + start) * plane, (b * c + end) * plane), b * (end - start) * plane);
  }
  return { shape: [n, end - start, h, w], data: out };
}

/** Output channels [start, end) of an OIHW filter bank. */
function sliceFilters(t: Tensor, start: number, end: number): Tensor<Float64Array> {
  const per = sizeOf(t.shape.slice(1));
  return { shape: [end - start, ...t.shape.slice(1)], data: Float64Array.from(t.data.subarray(start * per, end * per)) };
}

function concatChannels(parts: Tensor[]): Tensor<Float64Array> {
  const [n, , h, w] = parts[0].shape;
  const c = parts.reduce((s, p) => s + p.shape[1], 0);
  const out = new Float64Array(n * c * h * w);
  let offset = 0;
  for (const p of parts) {
    const pc = p.shape[1];
    for (let b = 0; b < n; b++) {
      out.set(p.data.subarray(b * pc * h * w, (b + 1) * pc * h * w), (b * c + offset) * h * w);
    }
    offset += pc;
  }
  return { shape: [n, c, h, w], data: out };
}

function get(t: Tensor, a: number, b: number, r: number, s: number): number {
  const [, c, h, w] = t.shape;
  return t.data[((a * c + b) * h + r) * w + s];
}

function catchError(fn: () => unknown): LinearConvError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LinearConvError);
    return error as LinearConvError;
  }
  throw new Error('expected a LinearConvError, nothing was thrown');
}

// ---------- 1. hand-computed cases ----------
// Every expected array below was worked out by hand (arithmetic in the comments), not by running the code.

describe('conv2d: hand-computed cases', () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]]
  const x3 = tensor([1, 1, 3, 3], range(9));
  const ones2 = tensor([1, 1, 2, 2], [1, 1, 1, 1]);

  it('valid 2×2 ones on 3×3: window sums', () => {
    // 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9
    const y = conv2d(x3, ones2, undefined, opts());
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectClose(y.data, [12, 16, 24, 28]);
  });

  it('stride 2 on 4×4 with w = [[1,2],[3,4]]', () => {
    // x = 1..16 row-major; (0,0): 1·1+2·2+5·3+6·4 = 44; (0,1): 3+8+21+32 = 64;
    // (1,0): 9+20+39+56 = 124; (1,1): 11+24+45+64 = 144
    const y = conv2d(tensor([1, 1, 4, 4], range(16)), tensor([1, 1, 2, 2], [1, 2, 3, 4]), undefined, opts({ strides: [2, 2] }));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectClose(y.data, [44, 64, 124, 144]);
  });

  it('unequal strides [2, 1] floor the leftover row', () => {
    // H' = floor((3 − 2) / 2) + 1 = 1, W' = 2: only the top row of windows, 12 and 16
    const y = conv2d(x3, ones2, undefined, opts({ strides: [2, 1] }));
    expect(y.shape).toEqual([1, 1, 1, 2]);
    expectClose(y.data, [12, 16]);
  });

  it('asymmetric padding [1, 0, 0, 1]', () => {
    // x = [[1,2],[3,4]] padded to [[0,0,0],[1,2,0],[3,4,0]], w = [[1,2],[3,4]]
    // (0,0): 0+0+1·3+2·4 = 11; (0,1): 0+0+2·3+0 = 6; (1,0): 1+2·2+3·3+4·4 = 30; (1,1): 2+0+4·3+0 = 14
    const y = conv2d(tensor([1, 1, 2, 2], [1, 2, 3, 4]), tensor([1, 1, 2, 2], [1, 2, 3, 4]), undefined, opts({ padding: [1, 0, 0, 1] }));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectClose(y.data, [11, 6, 30, 14]);
  });

  it('padding [0, 2, 1, 0] with a 1×1 filter of 2 puts zeros below and to the left', () => {
    // padded = [[0,1,2],[0,3,4],[0,0,0],[0,0,0]], times 2
    const y = conv2d(tensor([1, 1, 2, 2], [1, 2, 3, 4]), tensor([1, 1, 1, 1], [2]), undefined, opts({ padding: [0, 2, 1, 0] }));
    expect(y.shape).toEqual([1, 1, 4, 3]);
    expectClose(y.data, [0, 2, 4, 0, 6, 8, 0, 0, 0, 0, 0, 0]);
  });

  it('dilation 2 on 3×3: the four corners', () => {
    // 1+3+7+9
    const y = conv2d(x3, ones2, undefined, opts({ dilation: [2, 2] }));
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expectClose(y.data, [20]);
  });

  it('dilation 2 on 4×4 with w = [[1,2],[3,4]]', () => {
    // (0,0): x00+2·x02+3·x20+4·x22 = 1+6+27+44 = 78; (0,1): 2+8+30+48 = 88;
    // (1,0): 5+14+39+60 = 118; (1,1): 6+16+42+64 = 128
    const y = conv2d(tensor([1, 1, 4, 4], range(16)), tensor([1, 1, 2, 2], [1, 2, 3, 4]), undefined, opts({ dilation: [2, 2] }));
    expectClose(y.data, [78, 88, 118, 128]);
  });

  it('channels are summed without groups', () => {
    // ch0 = [1,2,3,4], ch1 = [5,6,7,8], 1×1 filter [1, −1]: 1−5, 2−6, 3−7, 4−8
    const y = conv2d(tensor([1, 2, 2, 2], range(8)), tensor([1, 2, 1, 1], [1, -1]), undefined, opts());
    expectClose(y.data, [-4, -4, -4, -4]);
  });

  it('groups 2, C = 2, F = 4: outputs 0,1 read channel 0 and outputs 2,3 read channel 1', () => {
    // ch0 = [1,2,3,4], ch1 = [5,6,7,8]; 1×1 weights 1, 2, 3, 4: 1·ch0, 2·ch0, 3·ch1, 4·ch1
    const y = conv2d(tensor([1, 2, 2, 2], range(8)), tensor([4, 1, 1, 1], [1, 2, 3, 4]), undefined, opts({ groups: 2 }));
    expect(y.shape).toEqual([1, 4, 2, 2]);
    expectClose(y.data, [1, 2, 3, 4, 2, 4, 6, 8, 15, 18, 21, 24, 20, 24, 28, 32]);
  });

  it('groups 2, C = 4, F = 2: each output sums its own two channels', () => {
    // x = [1,2,3,4] (1×1 pixels); o0 = 1·1 + 10·2 = 21; o1 = 100·3 + 1000·4 = 4300
    const y = conv2d(tensor([1, 4, 1, 1], [1, 2, 3, 4]), tensor([2, 2, 1, 1], [1, 10, 100, 1000]), undefined, opts({ groups: 2 }));
    expectClose(y.data, [21, 4300]);
  });

  it('bias is added per output channel', () => {
    // filter 0 = ones (window sums 12,16,24,28) + 0.5; filter 1 picks the top-left (1,2,4,5) − 1
    const w = tensor([2, 1, 2, 2], [1, 1, 1, 1, 1, 0, 0, 0]);
    const y = conv2d(x3, w, Float64Array.from([0.5, -1]), opts());
    expectClose(y.data, [12.5, 16.5, 24.5, 28.5, 0, 1, 3, 4]);
  });

  it('batch 2 keeps NCHW order', () => {
    // n0 = [1,2,3,4], n1 = [10,20,30,40]; f0 = [1,2,3,4] gives 1+4+9+16 = 30 and 300; f1 = ones gives 10 and 100
    const x = tensor([2, 1, 2, 2], [1, 2, 3, 4, 10, 20, 30, 40]);
    const w = tensor([2, 1, 2, 2], [1, 2, 3, 4, 1, 1, 1, 1]);
    const y = conv2d(x, w, undefined, opts());
    expect(y.shape).toEqual([2, 2, 1, 1]);
    expectClose(y.data, [30, 10, 300, 100]);
  });

  it('backward of valid 2×2 ones with dy = ones', () => {
    // dx counts how many windows cover each pixel; dw[u][v] sums the pixels at offset (u,v): the window sums again
    const g = conv2dBackward(x3, ones2, tensor([1, 1, 2, 2], [1, 1, 1, 1]), opts());
    expectClose(g.inputGrad.data, [1, 2, 1, 2, 4, 2, 1, 2, 1]);
    expectClose(g.filterGrad.data, [12, 16, 24, 28]);
    expectClose(g.biasGrad, [4]);
    expect(g.inputGrad.shape).toEqual([1, 1, 3, 3]);
    expect(g.filterGrad.shape).toEqual([1, 1, 2, 2]);
  });

  it('float32 input computes and returns float64', () => {
    const x = { shape: [1, 1, 1, 2], data: Float32Array.from([0.1, 0.2]) };
    const w = { shape: [1, 1, 1, 1], data: Float32Array.from([0.3]) };
    const y = conv2d(x, w, Float32Array.from([0.7]), opts());
    expect(y.data).toBeInstanceOf(Float64Array);
    // The float32 values, widened exactly, then multiplied and added in float64.
    expect(y.data[0]).toBe(Math.fround(0.7) + Math.fround(0.1) * Math.fround(0.3));
    const g = conv2dBackward(x, w, { shape: [1, 1, 1, 2], data: Float32Array.from([1, 1]) }, opts());
    expect(g.inputGrad.data).toBeInstanceOf(Float64Array);
    expect(g.filterGrad.data).toBeInstanceOf(Float64Array);
    expect(g.biasGrad).toBeInstanceOf(Float64Array);
  });
});

// ---------- 2. properties ----------

describe('conv2d: properties', () => {
  const rand = mulberry32(1234);

  it('a centred delta filter with padding 1 reproduces the input, channel by channel', () => {
    const x = random([2, 3, 4, 5], rand);
    const w = new Float64Array(3 * 3 * 3 * 3);
    for (let c = 0; c < 3; c++) w[((c * 3 + c) * 3 + 1) * 3 + 1] = 1;
    const y = conv2d(x, { shape: [3, 3, 3, 3], data: w }, undefined, opts({ padding: [1, 1, 1, 1] }));
    expect(y.shape).toEqual(x.shape);
    expectClose(y.data, x.data, 0);
  });

  it('a delta at (a, b) shifts, pads and strides the input', () => {
    const x = random([1, 1, 5, 6], rand);
    const [a, b] = [2, 0];
    const w = new Float64Array(3 * 2);
    w[a * 2 + b] = 1;
    const padding: ExplicitPadding = [1, 2, 0, 3];
    const strides: Pair = [2, 1];
    const y = conv2d(x, { shape: [1, 1, 3, 2], data: w }, undefined, opts({ padding, strides }));
    const [, , oh, ow] = y.shape;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const r = i * strides[0] - padding[0] + a;
        const s = j * strides[1] - padding[2] + b;
        const expected = r >= 0 && r < 5 && s >= 0 && s < 6 ? get(x, 0, 0, r, s) : 0;
        expect(get(y, 0, 0, i, j)).toBe(expected);
      }
    }
  });

  it('explicit padding equals a valid conv on a zero-padded copy', () => {
    const x = random([2, 2, 3, 4], rand);
    const w = random([3, 2, 2, 3], rand);
    const [t, bo, l, ri] = [2, 1, 0, 3];
    const [h, wd] = [3 + t + bo, 4 + l + ri];
    const padded = new Float64Array(2 * 2 * h * wd);
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 2; c++)
        for (let r = 0; r < 3; r++)
          for (let s = 0; s < 4; s++) padded[((n * 2 + c) * h + r + t) * wd + s + l] = get(x, n, c, r, s);
    const y = conv2d(x, w, undefined, opts({ padding: [t, bo, l, ri] }));
    const z = conv2d({ shape: [2, 2, h, wd], data: padded }, w, undefined, opts());
    expect(y.shape).toEqual(z.shape);
    expectClose(y.data, z.data);
  });

  it('dilation equals an undilated conv with a zero-stuffed kernel', () => {
    const x = random([1, 2, 7, 8], rand);
    const w = random([2, 2, 2, 3], rand);
    const [dh, dw] = [3, 2];
    const [eh, ew] = [(2 - 1) * dh + 1, (3 - 1) * dw + 1];
    const stuffed = new Float64Array(2 * 2 * eh * ew);
    for (let o = 0; o < 2; o++)
      for (let c = 0; c < 2; c++)
        for (let u = 0; u < 2; u++)
          for (let v = 0; v < 3; v++) stuffed[((o * 2 + c) * eh + u * dh) * ew + v * dw] = get(w, o, c, u, v);
    const y = conv2d(x, w, undefined, opts({ dilation: [dh, dw], padding: [1, 0, 0, 1] }));
    const z = conv2d(x, { shape: [2, 2, eh, ew], data: stuffed }, undefined, opts({ padding: [1, 0, 0, 1] }));
    expect(y.shape).toEqual(z.shape);
    expectClose(y.data, z.data);
  });

  it('a strided conv samples the stride-1 output', () => {
    const x = random([1, 2, 7, 6], rand);
    const w = random([2, 2, 3, 2], rand);
    const full = conv2d(x, w, undefined, opts({ padding: [1, 1, 0, 1] }));
    const y = conv2d(x, w, undefined, opts({ padding: [1, 1, 0, 1], strides: [2, 3] }));
    const [, f, oh, ow] = y.shape;
    for (let o = 0; o < f; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) expect(get(y, 0, o, i, j)).toBe(get(full, 0, o, i * 2, j * 3));
  });

  it('is linear in the input and in the filters', () => {
    const o = opts({ strides: [2, 1], padding: [1, 0, 2, 1], dilation: [1, 2], groups: 2 });
    const [x1, x2] = [random([2, 4, 5, 6], rand), random([2, 4, 5, 6], rand)];
    const [w1, w2] = [random([6, 2, 3, 2], rand), random([6, 2, 3, 2], rand)];
    const [a, b] = [1.75, -0.5];
    const mix = (p: Tensor, q: Tensor): Tensor => ({ shape: p.shape, data: p.data.map((v, k) => a * v + b * q.data[k]) });
    const combine = (p: Tensor, q: Tensor) => p.data.map((v, k) => a * v + b * q.data[k]);
    expectClose(conv2d(mix(x1, x2), w1, undefined, o).data, combine(conv2d(x1, w1, undefined, o), conv2d(x2, w1, undefined, o)));
    expectClose(conv2d(x1, mix(w1, w2), undefined, o).data, combine(conv2d(x1, w1, undefined, o), conv2d(x1, w2, undefined, o)));
  });

  it('depthwise (groups = C = F) equals one single-channel conv per channel', () => {
    const o = opts({ padding: [1, 1, 1, 1], strides: [1, 2] });
    const x = random([2, 3, 5, 5], rand);
    const w = random([3, 1, 3, 3], rand);
    const bias = Float64Array.from([0.25, -0.5, 1]);
    const y = conv2d(x, w, bias, { ...o, groups: 3 });
    const parts = [0, 1, 2].map((c) =>
      conv2d(sliceChannels(x, c, c + 1), sliceFilters(w, c, c + 1), bias.subarray(c, c + 1), o),
    );
    expectClose(y.data, concatChannels(parts).data);
  });

  it('a grouped conv equals the concatenation of separate convs on channel slices', () => {
    const o = opts({ padding: [0, 1, 2, 0], dilation: [2, 1] });
    const [groups, c, f] = [3, 6, 9];
    const x = random([2, c, 6, 5], rand);
    const w = random([f, c / groups, 2, 3], rand);
    const y = conv2d(x, w, undefined, { ...o, groups });
    const parts = range(groups, 0).map((k) =>
      conv2d(sliceChannels(x, (k * c) / groups, ((k + 1) * c) / groups), sliceFilters(w, (k * f) / groups, ((k + 1) * f) / groups), undefined, o),
    );
    expectClose(y.data, concatChannels(parts).data);
  });
});

// ---------- 3. backward vs central finite differences ----------

interface Case {
  readonly name: string;
  readonly input: number[];
  readonly filters: number[];
  readonly options: Conv2DOptions;
}

const cases: Case[] = [
  { name: 'plain 3×3', input: [1, 2, 5, 5], filters: [3, 2, 3, 3], options: opts() },
  { name: 'stride 2, padding 1', input: [1, 2, 6, 5], filters: [2, 2, 3, 3], options: opts({ strides: [2, 2], padding: [1, 1, 1, 1] }) },
  { name: 'dilation 2', input: [1, 1, 6, 6], filters: [2, 1, 2, 2], options: opts({ dilation: [2, 2] }) },
  { name: 'asymmetric padding', input: [1, 2, 4, 4], filters: [2, 2, 3, 2], options: opts({ padding: [2, 0, 1, 3] }) },
  { name: 'groups 2', input: [1, 4, 4, 4], filters: [4, 2, 2, 2], options: opts({ groups: 2, padding: [1, 0, 0, 1] }) },
  { name: 'depthwise', input: [1, 3, 4, 5], filters: [3, 1, 3, 3], options: opts({ groups: 3, padding: [1, 1, 1, 1] }) },
  { name: 'batch 2', input: [2, 2, 4, 4], filters: [3, 2, 2, 2], options: opts({ strides: [1, 2] }) },
  {
    name: 'rectangular kernel, everything mixed',
    input: [2, 4, 6, 5],
    filters: [6, 2, 3, 1],
    options: opts({ strides: [2, 1], padding: [0, 2, 1, 0], dilation: [2, 3], groups: 2 }),
  },
];

describe('conv2dBackward vs central finite differences', () => {
  const h = 1e-6;
  const tol = 1e-6;

  for (const [index, c] of cases.entries()) {
    it(c.name, () => {
      const rand = mulberry32(100 + index);
      const x = random(c.input, rand);
      const w = random(c.filters, rand);
      const b = Float64Array.from({ length: c.filters[0] }, () => rand() - 0.5);
      const outShape = conv2d(x, w, b, c.options).shape as number[];
      const dy = random(outShape, rand);
      const loss = (xx: Tensor, ww: Tensor, bb: Float64Array) => dot(conv2d(xx, ww, bb, c.options).data, dy.data);

      // Perturbs a copy of one entry; the originals stay untouched.
      const numeric = (data: Float64Array, f: (copy: Float64Array) => number): Float64Array =>
        data.map((_, k) => {
          const copy = Float64Array.from(data);
          copy[k] = data[k] + h;
          const up = f(copy);
          copy[k] = data[k] - h;
          return (up - f(copy)) / (2 * h);
        });

      const g = conv2dBackward(x, w, dy, c.options);
      expectClose(g.inputGrad.data, numeric(x.data, (d) => loss({ shape: x.shape, data: d }, w, b)), tol);
      expectClose(g.filterGrad.data, numeric(w.data, (d) => loss(x, { shape: w.shape, data: d }, b)), tol);
      expectClose(g.biasGrad, numeric(b, (d) => loss(x, w, d)), tol);
      expect(g.inputGrad.shape).toEqual(c.input);
      expect(g.filterGrad.shape).toEqual(c.filters);
    });
  }
});

// ---------- 4. adjoint identity ----------

describe('adjoint identity', () => {
  for (const [index, c] of cases.entries()) {
    it(`<conv(x, w), dy> = <x, inputGrad> = <w, filterGrad>: ${c.name}`, () => {
      const rand = mulberry32(500 + index);
      const x = random(c.input, rand);
      const w = random(c.filters, rand);
      const y = conv2d(x, w, undefined, c.options);
      const dy = random(y.shape as number[], rand);
      const g = conv2dBackward(x, w, dy, c.options);
      const lhs = dot(y.data, dy.data);
      expect(dot(x.data, g.inputGrad.data)).toBeCloseTo(lhs, 12);
      expect(dot(w.data, g.filterGrad.data)).toBeCloseTo(lhs, 12);
    });
  }
});

// ---------- 5. validation and immutability ----------

describe('validation', () => {
  const x = tensor([1, 4, 5, 5], range(100));
  const w = tensor([2, 2, 3, 3], range(36));
  const o = opts({ groups: 2 });
  const dy = tensor([1, 2, 3, 3], range(18));

  const forward: [string, () => unknown][] = [
    ['input.shape', () => conv2d({ shape: [4, 5, 5], data: x.data }, w, undefined, o)],
    ['input.shape', () => conv2d({ shape: [1, 4, 0, 5], data: new Float64Array(0) }, w, undefined, o)],
    ['input.shape', () => conv2d({ shape: [1, 4, 2.5, 5], data: x.data }, w, undefined, o)],
    ['input.data', () => conv2d({ shape: x.shape, data: new Float64Array(99) }, w, undefined, o)],
    ['input.data', () => conv2d({ shape: x.shape, data: Array.from(x.data) as unknown as Float64Array }, w, undefined, o)],
    ['filters.shape', () => conv2d(x, { shape: [2, 2, 3], data: w.data }, undefined, o)],
    ['filters.shape', () => conv2d(x, { shape: [2, 4, 3, 3], data: new Float64Array(72) }, undefined, o)],
    ['filters.data', () => conv2d(x, { shape: w.shape, data: new Float64Array(35) }, undefined, o)],
    ['filters.shape', () => conv2d(x, tensor([2, 2, 6, 1], range(24)), undefined, o)],
    ['filters.shape', () => conv2d(x, w, undefined, { ...o, dilation: [3, 1] })],
    ['bias', () => conv2d(x, w, new Float64Array(3), o)],
    ['bias', () => conv2d(x, w, [1, 2] as unknown as Float64Array, o)],
    ['options.groups', () => conv2d(x, w, undefined, { ...o, groups: 3 })],
    ['options.groups', () => conv2d(x, tensor([3, 2, 3, 3], range(54)), undefined, o)],
    ['options.groups', () => conv2d(x, w, undefined, { ...o, groups: 0 })],
    ['options.groups', () => conv2d(x, w, undefined, { ...o, groups: 1.5 })],
    ['options.strides', () => conv2d(x, w, undefined, { ...o, strides: [0, 1] })],
    ['options.strides', () => conv2d(x, w, undefined, { ...o, strides: [1] as unknown as Pair })],
    ['options.dilation', () => conv2d(x, w, undefined, { ...o, dilation: [1, -2] })],
    ['options.padding', () => conv2d(x, w, undefined, { ...o, padding: [0, 0, -1, 0] })],
    ['options.padding', () => conv2d(x, w, undefined, { ...o, padding: [1, 1] as unknown as ExplicitPadding })],
    ['options', () => conv2d(x, w, undefined, undefined as unknown as Conv2DOptions)],
  ];
  for (const [field, call] of forward) {
    it(`conv2d throws for ${field}`, () => {
      const error = catchError(call);
      expect(error.field).toBe(field);
      expect(error.rule.length).toBeGreaterThan(10);
    });
  }

  it('the kernel-fit error speaks of the filters and their dilated extent', () => {
    const error = catchError(() => conv2d(x, w, undefined, { ...o, dilation: [3, 1] }));
    expect(error.rule).toMatch(/dilated extent 7.*5/);
  });

  const backward: [string, () => unknown][] = [
    ['outputGrad.shape', () => conv2dBackward(x, w, { shape: [1, 2, 3, 4], data: new Float64Array(24) }, o)],
    ['outputGrad.shape', () => conv2dBackward(x, w, { shape: [1, 2, 9], data: new Float64Array(18) }, o)],
    ['outputGrad.shape', () => conv2dBackward(x, w, undefined as unknown as Tensor, o)],
    ['outputGrad.data', () => conv2dBackward(x, w, { shape: dy.shape, data: new Float64Array(17) }, o)],
    ['input.shape', () => conv2dBackward({ shape: [1, 4, 5], data: x.data }, w, dy, o)],
    ['options.groups', () => conv2dBackward(x, w, dy, { ...o, groups: 4 })],
  ];
  for (const [field, call] of backward) {
    it(`conv2dBackward throws for ${field}`, () => {
      expect(catchError(call).field).toBe(field);
    });
  }

  it('never mutates its arguments', () => {
    const rand = mulberry32(7);
    const xi = { shape: [2, 4, 5, 5], data: Float32Array.from(random([2, 4, 5, 5], rand).data) };
    const wi = random([4, 2, 3, 3], rand);
    const bias = Float32Array.from([1, 2, 3, 4]);
    const options = opts({ groups: 2, strides: [2, 1], padding: [1, 0, 0, 2], dilation: [1, 2] });
    const y = conv2d(xi, wi, bias, options);
    const gy = random(y.shape as number[], rand);
    const snapshot = structuredClone({ xi, wi, bias, options, gy });
    conv2d(xi, wi, bias, options);
    const g = conv2dBackward(xi, wi, gy, options);
    expect({ xi, wi, bias, options, gy }).toEqual(snapshot);
    // Results own their storage and shapes.
    expect(g.inputGrad.data.buffer).not.toBe(xi.data.buffer);
    expect(g.inputGrad.shape).not.toBe(xi.shape);
    expect(g.filterGrad.shape).not.toBe(wi.shape);
  });
});
