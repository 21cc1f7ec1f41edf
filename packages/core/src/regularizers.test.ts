import { describe, expect, it } from 'vitest';
import { LinearConvError } from './errors.js';
import { createRandom } from './random.js';
import { correlationLoss, correlationMatrix, orthogonalityLoss, type RegularizerResult } from './regularizers.js';

const f64 = (values: number[]) => Float64Array.from(values);

function finiteDifferences(fn: (x: Float64Array) => RegularizerResult<Float64Array>, x: Float64Array, h = 1e-6) {
  const numeric = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + h;
    const up = fn(x).value;
    x[i] = keep - h;
    const down = fn(x).value;
    x[i] = keep;
    numeric[i] = (up - down) / (2 * h);
  }
  return numeric;
}

describe('correlationLoss', () => {
  it('is 2 for two perfectly (anti)correlated filters, each pair counted twice', () => {
    expect(correlationLoss(f64([1, 2, 3, 2, 4, 6]), 2).value).toBeCloseTo(2, 12);
    expect(correlationLoss(f64([1, 2, 3, 3, 2, 1]), 2).value).toBeCloseTo(2, 12);
  });

  it('is 0 for uncorrelated filters (worked by hand)', () => {
    // [1, 0, −1] and [1, −2, 1] are centred and orthogonal → C = 0
    expect(correlationLoss(f64([1, 0, -1, 1, -2, 1]), 2).value).toBeCloseTo(0, 12);
  });

  it('matches a hand-computed three-filter case', () => {
    // a = [1, 2, 3, 4], b = [1, 3, 2, 4], c = [4, 3, 2, 1]
    // centred: a' = [−1.5, −.5, .5, 1.5], b' = [−1.5, .5, −.5, 1.5], c' = −a'; |a'|² = |b'|² = 5
    // C_ab = (2.25 − .25 − .25 + 2.25)/5 = 0.8, C_ac = −1, C_bc = −0.8 → L = 2·(0.8 + 1 + 0.8) = 5.2
    const v = f64([1, 2, 3, 4, 1, 3, 2, 4, 4, 3, 2, 1]);
    expect(correlationLoss(v, 3).value).toBeCloseTo(5.2, 12);
    const c = correlationMatrix(v, 3);
    expect(Array.from(c).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([1, 0.8, -1, 0.8, 1, -0.8, -1, -0.8, 1]);
  });

  it('has the analytic gradient (finite differences, float64)', () => {
    const random = createRandom(3);
    for (const [p, d] of [
      [2, 3],
      [4, 9],
      [8, 27],
    ]) {
      const x = Float64Array.from({ length: p * d }, () => random.normal());
      const fn = (v: Float64Array) => correlationLoss(v, p);
      const numeric = finiteDifferences(fn, x);
      const analytic = fn(x).grad;
      for (let i = 0; i < x.length; i++) expect(analytic[i]).toBeCloseTo(numeric[i], 6);
    }
  });

  it('is invariant to shifting and scaling a filter, so its gradient sums to zero per filter', () => {
    const random = createRandom(4);
    const x = Float64Array.from({ length: 3 * 5 }, () => random.normal());
    const moved = x.map((v, i) => (i < 5 ? 3 * v + 7 : v));
    expect(correlationLoss(moved, 3).value).toBeCloseTo(correlationLoss(x, 3).value, 10);
    const grad = correlationLoss(x, 3).grad;
    for (let i = 0; i < 3; i++) expect(grad.subarray(i * 5, i * 5 + 5).reduce((a, b) => a + b)).toBeCloseTo(0, 12);
  });

  it('guards a constant filter: finite value and gradient, no NaN', () => {
    // filter 0 constant: uncorrelated with everything; the other two are anti-correlated → L = 2
    const v = new Float32Array([0.1, 0.1, 0.1, 0.1, 1, 2, 3, 4, 4, 3, 2, 1]);
    const { value, grad } = correlationLoss(v, 3);
    expect(value).toBeCloseTo(2, 6);
    expect(grad.every(Number.isFinite)).toBe(true);
    expect(grad).toBeInstanceOf(Float32Array);
    const zeros = correlationLoss(new Float32Array(8), 2);
    expect(zeros.value).toBe(0);
    expect(zeros.grad.every((g) => g === 0)).toBe(true);
  });

  it('refuses filters too short to correlate, and bad shapes, with a named error', () => {
    expect(() => correlationLoss(f64([1, 2]), 2)).toThrow(LinearConvError);
    expect(() => correlationLoss(f64([1, 2]), 2)).toThrow(/at least 2 values/);
    expect(() => correlationLoss(f64([1, 2, 3]), 2)).toThrow(/primary/);
    expect(() => correlationLoss(f64([1, 2, 3, 4]), 0)).toThrow(/primaryCount/);
  });
});

describe('orthogonalityLoss', () => {
  it('is 0 for orthogonal filters and 2 for two parallel ones (worked by hand)', () => {
    expect(orthogonalityLoss(f64([3, 0, 0, 0, 0, 5]), 2).value).toBeCloseTo(0, 12);
    // V̂V̂ᵀ = [[1, 1], [1, 1]] → ||G − I||² = 2
    expect(orthogonalityLoss(f64([1, 2, 2, 4]), 2).value).toBeCloseTo(2, 12);
    // a zero filter contributes its missing diagonal: 1
    expect(orthogonalityLoss(f64([0, 0, 1, 0]), 2).value).toBeCloseTo(1, 12);
  });

  it('has the analytic gradient (finite differences, float64)', () => {
    const random = createRandom(5);
    const x = Float64Array.from({ length: 4 * 6 }, () => random.normal());
    const fn = (v: Float64Array) => orthogonalityLoss(v, 4);
    const numeric = finiteDifferences(fn, x);
    const analytic = fn(x).grad;
    for (let i = 0; i < x.length; i++) expect(analytic[i]).toBeCloseTo(numeric[i], 6);
  });
});
