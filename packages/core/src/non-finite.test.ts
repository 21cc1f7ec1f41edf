import { describe, expect, it } from 'vitest';
import { composeFilters, composeFiltersBackward } from './compose.js';
import { fitCoefficients } from './fit.js';
import { initialWeights } from './initializers.js';
import { linearConvForward } from './layer.js';
import { createRandom } from './random.js';
import { conv2d } from './reference.js';
import { correlationLoss, correlationMatrix, orthogonalityLoss } from './regularizers.js';
import { layerSpec } from './spec.js';

// One policy everywhere: NaN and ±Inf propagate, nothing masks them into a healthy number.

const random = createRandom(11);
const normals = (n: number) => Float64Array.from({ length: n }, () => random.normal());
const badValues = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

describe('regularisers on non-finite filters', () => {
  for (const bad of badValues) {
    for (const Kind of [Float32Array, Float64Array]) {
      it(`correlationLoss and orthogonalityLoss give NaN value and gradient for ${bad} (${Kind.name})`, () => {
        const primary = Kind.from(normals(4 * 9));
        primary[13] = bad;
        for (const loss of [correlationLoss, orthogonalityLoss]) {
          const { value, grad } = loss(primary, 4);
          expect(value).toBeNaN();
          expect(grad).toBeInstanceOf(Kind);
          expect(grad.every(Number.isNaN)).toBe(true);
        }
      });
    }
  }

  it('correlationMatrix: NaN in the bad filter’s row and column, the other entries as without it', () => {
    const p = 4;
    const d = 6;
    const primary = normals(p * d);
    primary[2 * d + 1] = Number.NaN; // filter 2
    const corr = correlationMatrix(primary, p);
    const others = [0, 1, 3];
    const rest = Float64Array.from(others.flatMap((i) => Array.from(primary.subarray(i * d, (i + 1) * d))));
    const expected = correlationMatrix(rest, others.length);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        if (i === 2 || j === 2) expect(corr[i * p + j]).toBeNaN();
        else expect(corr[i * p + j]).toBeCloseTo(expected[others.indexOf(i) * 3 + others.indexOf(j)], 14);
      }
    }
  });

  it('a constant filter is still uncorrelated (0), not NaN: only non-finite values give NaN', () => {
    const primary = Float64Array.from([1, 2, 3, 5, 5, 5, 3, 1, 2]);
    const corr = correlationMatrix(primary, 3);
    expect(Array.from(corr.subarray(3, 6))).toEqual([0, 1, 0]);
    expect(Number.isFinite(correlationLoss(primary, 3).value)).toBe(true);
  });

  it('finite filters of any magnitude give the same loss, and the gradient scales as 1/c (no overflow or underflow)', () => {
    const p = 3;
    const d = 8;
    const base = normals(p * d);
    const reference = { corr: correlationLoss(base, p), orth: orthogonalityLoss(base, p) };
    for (const c of [1e200, 1e-200, 1e-300]) {
      const scaled = base.map((v) => v * c);
      for (const [name, loss] of [['corr', correlationLoss], ['orth', orthogonalityLoss]] as const) {
        const { value, grad } = loss(scaled, p);
        expect(value).toBeCloseTo(reference[name].value, 10);
        // L(c·x) = L(x) ⇒ ∇L(c·x) = ∇L(x) / c.
        for (let i = 0; i < grad.length; i++) expect(grad[i] * c).toBeCloseTo(reference[name].grad[i], 8);
      }
    }
  });

  it('a float32 filter near the float32 maximum is not treated as constant', () => {
    const base = Float32Array.from([1, 2, 3, 4, 2, 1, 4, 3]);
    const huge = base.map((v) => v * 8e37);
    expect(correlationLoss(huge, 2).value).toBeCloseTo(correlationLoss(base, 2).value, 6);
    expect(orthogonalityLoss(huge, 2).value).toBeCloseTo(orthogonalityLoss(base, 2).value, 6);
  });
});

describe('composition on non-finite weights', () => {
  const spec = layerSpec({ inChannels: 2, outChannels: 5, kernelSize: 2, primaryFilters: 2 });
  const lowRank = layerSpec({ ...spec, coefficients: { kind: 'lowRank', rank: 1 } });
  const d = 8;

  for (const bad of badValues) {
    it(`a ${bad} primary value spoils the same element of every secondary filter, and nothing else`, () => {
      for (const s of [spec, lowRank]) {
        const weights = initialWeights(s, createRandom(3));
        const primary = weights.primary.slice();
        primary[d + 5] = bad; // filter 1, element 5
        const filters = composeFilters(s, { ...weights, primary });
        for (let f = 0; f < 5; f++) {
          for (let k = 0; k < d; k++) {
            const v = filters[f * d + k];
            const spoilt = k === 5 && f !== 0;
            expect(Number.isFinite(v)).toBe(!spoilt);
          }
        }
      }
    });
  }

  it('a NaN coefficient spoils exactly its secondary filter', () => {
    const weights = initialWeights(spec, createRandom(4));
    const coefficients = weights.coefficients!.slice();
    coefficients[1 * 2 + 0] = Number.NaN; // secondary 1 (filter 3), from primary 0
    const filters = composeFilters(spec, { ...weights, coefficients });
    for (let f = 0; f < 5; f++) expect(filters.subarray(f * d, (f + 1) * d).every(Number.isNaN)).toBe(f === 3);
    expect(filters.subarray(0, 3 * d).every(Number.isFinite)).toBe(true);
  });

  it('backward: a NaN in dL/dW reaches dP and dA', () => {
    const weights = initialWeights(spec, createRandom(5));
    const filterGrad = new Float32Array(5 * d).fill(1);
    filterGrad[4 * d] = Number.NaN; // secondary 2
    const { primaryGrad, coefficientsGrad } = composeFiltersBackward(spec, weights, filterGrad);
    // dP[:, 0] = dW[0:p, 0] + Aᵀ·dW[p:, 0] and dA[2, :] = dW[4]·Pᵀ both read it.
    expect(Number.isNaN(primaryGrad[0]) && Number.isNaN(primaryGrad[d])).toBe(true);
    expect(Array.from(coefficientsGrad!.subarray(4, 6)).every(Number.isNaN)).toBe(true);
    expect(Array.from(coefficientsGrad!.subarray(0, 4)).every(Number.isFinite)).toBe(true);
  });
});

describe('reference conv on non-finite input', () => {
  const f = { shape: [1, 1, 3, 3], data: new Float64Array(9).fill(1) };
  const options = { strides: [1, 1] as const, padding: [0, 0, 0, 0] as const, dilation: [1, 1] as const, groups: 1 };

  for (const [at, reached] of [
    [[0, 0], (i: number, j: number) => i === 0 && j === 0],
    [[2, 2], () => true],
    [[4, 1], (i: number, j: number) => i === 2 && j <= 1],
  ] as const) {
    it(`NaN input at ${at} reaches exactly the outputs whose window covers it`, () => {
      const x = new Float64Array(25).fill(0.5);
      x[at[0] * 5 + at[1]] = Number.NaN;
      const y = conv2d({ shape: [1, 1, 5, 5], data: x }, f, undefined, options).data;
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const covers = at[0] >= i && at[0] < i + 3 && at[1] >= j && at[1] < j + 3;
          expect(covers).toBe((reached as (i: number, j: number) => boolean)(i, j));
          expect(Number.isNaN(y[i * 3 + j])).toBe(covers);
        }
      }
    });
  }

  it('an Inf filter tap gives non-finite outputs everywhere it meets the input; a NaN bias its channel', () => {
    const w = { shape: [2, 1, 3, 3], data: new Float64Array(18).fill(0.1) };
    w.data[4] = Number.POSITIVE_INFINITY; // channel 0, centre tap
    const x = { shape: [1, 1, 4, 4], data: new Float64Array(16).fill(1) };
    const y = conv2d(x, w, Float64Array.from([0, Number.NaN]), { ...options, padding: [1, 1, 1, 1] }).data;
    // The centre tap meets the input at every output position; channel 1 reads the NaN bias.
    expect(y.every((v) => !Number.isFinite(v))).toBe(true);
  });

  it('linearConvForward: a NaN primary makes the layer output NaN', () => {
    const spec = layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 3, padding: 'valid' });
    const weights = initialWeights(spec, createRandom(6));
    weights.primary[0] = Number.NaN;
    const input = { shape: [1, 2, 3, 3], data: new Float32Array(18).fill(1) };
    const y = linearConvForward(spec, weights, input).data;
    // Filter 0 holds the NaN, and every secondary reads it: all but filter 1 (a primary) are NaN.
    expect(Array.from(y).map(Number.isNaN)).toEqual([true, false, true, true]);
  });
});

describe('fitCoefficients on non-finite filters', () => {
  it('reports NaN relativeError rather than a plausible fit', () => {
    const spec = layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 1, useBias: false });
    for (const primaries of ['first', 'pivoted'] as const) {
      const filters = Float64Array.from([1, 2, 3, 4, 5, Number.NaN, 7, 8]);
      const fit = fitCoefficients(spec, filters, undefined, { primaries });
      expect(fit.relativeError).toBeNaN();
    }
  });
});
