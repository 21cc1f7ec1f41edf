import { describe, expect, it } from 'vitest';
import { composeFilters, type LinearConvWeights } from './compose.js';
import { LinearConvError } from './errors.js';
import { type FitOptions, fitCoefficients } from './fit.js';
import { createRandom, type Random } from './random.js';
import { type LayerSpec, type LayerSpecInput, layerSpec } from './spec.js';

const normals = (random: Random, n: number) => Float64Array.from({ length: n }, () => random.normal());
const spec = (input: Partial<LayerSpecInput>) =>
  layerSpec({ inChannels: 2, outChannels: 10, kernelSize: 3, primaryFilters: 4, useBias: false, ...input });
const lowRank = (rank: number) => ({ kind: 'lowRank', rank }) as const;
const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((a, v) => a + v * v, 0));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const allFinite = (w: LinearConvWeights) => Object.values(w).every((x) => (x as Float64Array).every(Number.isFinite));

/** ||compose(weights) − W||_F / ||W||_F with the identity channel order. */
function bankError(spec: LayerSpec, weights: LinearConvWeights, filters: Float64Array): number {
  const composed = composeFilters(spec, weights);
  return norm(composed.map((v, i) => v - filters[i])) / norm(filters);
}

/** An exact LinearConv bank: random P and A (or Col·Row for low rank). */
function exactBank(spec: LayerSpec, random: Random): Float64Array {
  const p = spec.primaryFilters;
  const s = spec.outChannels - p;
  const d = (spec.inChannels / spec.groups) * spec.kernelSize[0] * spec.kernelSize[1];
  const primary = normals(random, p * d);
  if (spec.coefficients.kind === 'full') return composeFilters(spec, { primary, coefficients: normals(random, s * p) });
  const r = spec.coefficients.rank;
  return composeFilters(spec, { primary, column: normals(random, s * r), row: normals(random, r * p) });
}

describe('fitCoefficients', () => {
  it('recovers an exact LinearConv bank (full, grouped, and low rank when rank(A) ≤ R)', () => {
    const random = createRandom(1);
    // [bank, fits that can reproduce it]: a rank-R fit is exact when rank(A) ≤ R.
    const cases = [
      [spec({ inChannels: 3, outChannels: 12, primaryFilters: 5 }), ['full', lowRank(5)]],
      [spec({ inChannels: 4, outChannels: 12, groups: 2, primaryFilters: 6 }), ['full', lowRank(6)]],
      [spec({ inChannels: 3, outChannels: 12, primaryFilters: 5, coefficients: lowRank(2) }), ['full', lowRank(2), lowRank(3)]],
    ] as const;
    for (const [layer, fits] of cases) {
      const filters = exactBank(layer, random);
      for (const coefficients of fits) {
        const fitted = layerSpec({ ...layer, coefficients });
        for (const primaries of ['first', 'pivoted'] as const) {
          const { weights, relativeError, order } = fitCoefficients(fitted, filters, undefined, { primaries });
          // Pivoting keeps the span but not the low rank: A over other primaries is generally full rank.
          if (primaries === 'pivoted' && coefficients !== 'full' && coefficients.rank < 5) continue;
          expect(relativeError).toBeLessThan(1e-6);
          const composed = composeFilters(fitted, weights);
          const d = filters.length / fitted.outChannels;
          order.forEach((o, k) => {
            expect(maxAbsDiff(composed.subarray(k * d, (k + 1) * d), filters.subarray(o * d, (o + 1) * d))).toBeLessThan(1e-9);
          });
        }
      }
    }
  });

  it('recovers a float32 bank to float32 precision, and returns float32', () => {
    const layer = spec({ inChannels: 8, outChannels: 16, primaryFilters: 8, useBias: true, coefficients: lowRank(3) });
    const filters = Float32Array.from(exactBank({ ...layer, useBias: false }, createRandom(2)));
    const bias = Float32Array.from(normals(createRandom(3), 16));
    for (const coefficients of ['full', lowRank(3)] as const) {
      const { weights, relativeError } = fitCoefficients(layerSpec({ ...layer, coefficients }), filters, bias);
      expect(relativeError).toBeLessThan(1e-6);
      for (const array of Object.values(weights)) expect(array).toBeInstanceOf(Float32Array);
    }
  });

  it('is the least-squares fit: perturbing the coefficients never helps, the residual ⟂ primaries', () => {
    const random = createRandom(4);
    const layer = spec({});
    const filters = normals(random, 10 * 18);
    const { weights, relativeError } = fitCoefficients(layer, filters);
    expect(bankError(layer, weights, filters)).toBeCloseTo(relativeError, 12);
    for (let trial = 0; trial < 5; trial++) {
      const coefficients = weights.coefficients!.map((a) => a + 1e-3 * random.normal());
      expect(bankError(layer, { ...weights, coefficients }, filters)).toBeGreaterThan(relativeError);
    }
    // Normal equations: (A·V − S)·Vᵀ = 0.
    const composed = composeFilters(layer, weights);
    const [p, d] = [4, 18];
    for (let i = p; i < 10; i++) {
      for (let j = 0; j < p; j++) {
        let sum = 0;
        for (let t = 0; t < d; t++) sum += (composed[i * d + t] - filters[i * d + t]) * filters[j * d + t];
        expect(Math.abs(sum)).toBeLessThan(1e-12 * norm(filters) ** 2);
      }
    }
    // The low-rank fit is a minimum too (p = 4: s > p; p = 7: s < p).
    for (const primaryFilters of [4, 7]) {
      const ranked = spec({ primaryFilters, coefficients: lowRank(2) });
      const fit = fitCoefficients(ranked, filters);
      for (let trial = 0; trial < 5; trial++) {
        const column = fit.weights.column!.map((a) => a + 1e-3 * random.normal());
        const row = fit.weights.row!.map((a) => a + 1e-3 * random.normal());
        expect(bankError(ranked, { ...fit.weights, column, row }, filters)).toBeGreaterThan(fit.relativeError);
      }
    }
  });

  it('low rank: error falls as R grows, R ≥ min(s, p) is the full fit, and beats truncating A', () => {
    const random = createRandom(5);
    // s > p and s < p exercise both sides of the SVD (rows of C or of Cᵀ); D = 18.
    for (const p of [6, 10]) {
      const layer = spec({ outChannels: 16, primaryFilters: p });
      const s = 16 - p;
      const filters = normals(random, 16 * 18);
      const full = fitCoefficients(layer, filters);
      const a = full.weights.coefficients! as Float64Array;
      let previous = Number.POSITIVE_INFINITY;
      for (let rank = 1; rank <= 8; rank++) {
        const ranked = layerSpec({ ...layer, coefficients: lowRank(rank) });
        const { relativeError } = fitCoefficients(ranked, filters);
        expect(relativeError).toBeLessThanOrEqual(previous + 1e-12);
        previous = relativeError;
        if (rank >= Math.min(s, p)) expect(relativeError).toBeCloseTo(full.relativeError, 12);
        else {
          const truncated = { primary: full.weights.primary, coefficients: truncate(a, s, p, rank) };
          expect(relativeError).toBeLessThanOrEqual(bankError(layer, truncated, filters) + 1e-12);
          expect(relativeError).toBeGreaterThan(full.relativeError);
        }
      }
    }
  });

  it("'pivoted' picks independent primaries: lower error, a permutation, channels follow order", () => {
    const random = createRandom(6);
    const layer = spec({ useBias: true }); // F = 10, p = 4, D = 18
    const filters = normals(random, 10 * 18);
    for (let t = 0; t < 18; t++) filters[18 + t] = filters[t] + 1e-3 * random.normal(); // filter 1 ≈ filter 0
    const bias = normals(random, 10);
    const first = fitCoefficients(layer, filters, bias);
    const pivoted = fitCoefficients(layer, filters, bias, { primaries: 'pivoted' });
    expect(first.order).toEqual([...Array(10).keys()]);
    expect(Array.from(first.weights.bias!)).toEqual(Array.from(bias));
    expect(pivoted.relativeError).toBeLessThan(first.relativeError);
    expect(pivoted.order.slice(0, 4)).not.toEqual(expect.arrayContaining([0, 1]));
    expect([...pivoted.order].sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
    // Secondaries keep their original relative order after the primaries.
    const rest = pivoted.order.slice(4);
    expect(rest).toEqual([...rest].sort((x, y) => x - y));
    expect(Array.from(pivoted.weights.bias!)).toEqual(pivoted.order.map((o) => bias[o]));
    const composed = composeFilters(layer, pivoted.weights);
    pivoted.order.slice(0, 4).forEach((o, k) => {
      expect(Array.from(composed.subarray(k * 18, (k + 1) * 18))).toEqual(Array.from(filters.subarray(o * 18, (o + 1) * 18)));
    });
  });

  it('survives degenerate banks: D < p, duplicate filters, all zeros', () => {
    const random = createRandom(7);
    const tiny = spec({ kernelSize: 1, outChannels: 8 }); // D = 2 < p = 4: rank 2, so W is reproduced exactly
    const duplicates = normals(random, 10 * 18);
    duplicates.copyWithin(18, 0, 18); // filter 1 = filter 0
    duplicates.copyWithin(3 * 18, 2 * 18, 3 * 18); // filter 3 = filter 2
    duplicates.copyWithin(5 * 18, 0, 18); // a secondary equal to a primary
    const banks: [LayerSpec, Float64Array, number][] = [
      [tiny, normals(random, 8 * 2), 1e-12],
      [spec({}), duplicates, 1],
      [spec({}), new Float64Array(10 * 18), 0],
    ];
    for (const [layer, filters, bound] of banks) {
      const before = filters.slice();
      for (const coefficients of ['full', lowRank(1), lowRank(2), lowRank(5)] as const) {
        for (const primaries of ['first', 'pivoted'] as const) {
          const { weights, relativeError } = fitCoefficients(layerSpec({ ...layer, coefficients }), filters, undefined, {
            primaries,
          });
          expect(allFinite(weights)).toBe(true);
          expect(Number.isFinite(relativeError)).toBe(true);
          if (coefficients === 'full' || coefficients.rank >= 2) expect(relativeError).toBeLessThanOrEqual(bound);
        }
      }
      expect(filters).toEqual(before);
    }
    // A secondary duplicating a primary is fitted exactly even though filters 0 and 1 coincide.
    const fit = fitCoefficients(spec({}), duplicates);
    expect(maxAbsDiff(composeFilters(spec({}), fit.weights).subarray(90, 108), duplicates.subarray(90, 108))).toBeLessThan(1e-12);
  });

  it('copies the bias, never mutates its inputs, and validates lengths', () => {
    const random = createRandom(8);
    const layer = spec({ useBias: true });
    const filters = normals(random, 180);
    const bias = normals(random, 10);
    const [filtersBefore, biasBefore] = [filters.slice(), bias.slice()];
    const { weights } = fitCoefficients(layer, filters, bias, { primaries: 'pivoted' });
    fitCoefficients(layerSpec({ ...layer, coefficients: lowRank(2) }), filters, bias);
    expect(weights.bias).not.toBe(bias);
    expect(weights.bias).toBeInstanceOf(Float64Array);
    expect(filters).toEqual(filtersBefore);
    expect(bias).toEqual(biasBefore);

    const fieldOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(LinearConvError);
        return (error as LinearConvError).field;
      }
      return 'no error';
    };
    expect(fieldOf(() => fitCoefficients(layer, filters.subarray(1), bias))).toBe('filters');
    expect(fieldOf(() => fitCoefficients(layer, filters))).toBe('bias');
    expect(fieldOf(() => fitCoefficients(layer, filters, bias.subarray(1)))).toBe('bias');
    expect(fieldOf(() => fitCoefficients(spec({}), filters, bias))).toBe('bias');
    const bad = { primaries: 'best' } as unknown as FitOptions;
    expect(fieldOf(() => fitCoefficients(layer, filters, bias, bad))).toBe('options.primaries');
  });

  // Its speed on a realistic layer (512×256×3×3) is a benchmark: benchmarks/src/fit.ts.
  it('fits a layer of realistic proportions to the error random filters predict', () => {
    const random = createRandom(9);
    const filters = Float32Array.from({ length: 128 * 64 * 9 }, () => random.normal());
    for (const coefficients of ['full', lowRank(10)] as const) {
      const layer = layerSpec({ inChannels: 64, outChannels: 128, kernelSize: 3, useBias: false, coefficients });
      const { relativeError } = fitCoefficients(layer, filters);
      // Random filters: the secondaries (half the bank) keep ~1 − 64/576 of their energy outside
      // the primaries' span, so the error is about √(0.5 · 0.89) ≈ 0.67.
      expect(relativeError).toBeGreaterThan(0.6);
      expect(relativeError).toBeLessThan(0.75);
    }
  });
});

/**
 * The best rank-r approximation of a [s, p] in the plain Frobenius norm, by subspace iteration
 * on AᵀA (any inexactness only makes the bound looser).
 */
function truncate(a: Float64Array, s: number, p: number, r: number): Float64Array {
  const random = createRandom(99);
  const q = Array.from({ length: r }, () => normals(random, p)); // r orthonormal vectors of length p
  const times = (v: Float64Array) => {
    const av = Array.from({ length: s }, (_, i) => v.reduce((sum, x, j) => sum + a[i * p + j] * x, 0));
    return Float64Array.from({ length: p }, (_, j) => av.reduce((sum, x, i) => sum + a[i * p + j] * x, 0));
  };
  for (let iteration = 0; iteration < 500; iteration++) {
    for (let c = 0; c < r; c++) {
      const z = iteration === 0 ? q[c] : times(q[c]);
      for (let b = 0; b < c; b++) {
        const dot = z.reduce((sum, x, j) => sum + x * q[b][j], 0);
        for (let j = 0; j < p; j++) z[j] -= dot * q[b][j];
      }
      const n = norm(z);
      q[c] = z.map((x) => x / n);
    }
  }
  // A·Q·Qᵀ
  return Float64Array.from({ length: s * p }, (_, k) => {
    const [i, j] = [Math.floor(k / p), k % p];
    return q.reduce((sum, v) => sum + v[j] * v.reduce((acc, x, t) => acc + a[i * p + t] * x, 0), 0);
  });
}
