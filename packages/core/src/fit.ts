import { composeFilters, type LinearConvWeights, weightsAsFloat64 } from './compose.js';
import { describe, LinearConvError, requireOptions } from './errors.js';
import { filterLength, type LayerSpec, requireLayerSpec, secondaryFilters, weightShapes } from './spec.js';
import { type FloatArray, requireLength, zerosLike } from './tensor.js';

export interface FitOptions {
  /**
   * Which original filters become the primaries.
   * - `'first'` (default): the first p filters, so the composed bank keeps the original channel order
   *   (`order` is the identity) and the layer is a drop-in replacement.
   * - `'pivoted'`: greedy column-pivoted selection of the p most independent filters (usually lower
   *   error). composeFilters puts primaries first, so the output channels come out permuted by
   *   `order`: the caller must permute the next layer's input channels (or the outputs) to match.
   */
  readonly primaries?: 'first' | 'pivoted';
}

export interface FitResult<T extends FloatArray> {
  /** primary, coefficients (or column and row), and bias (a copy, permuted by `order`) when useBias. */
  readonly weights: LinearConvWeights<T>;
  /** ||composeFilters(weights) − W[order]||_F / ||W||_F, from the returned weights (0 when W is 0). */
  readonly relativeError: number;
  /** Output channel order: composed channel k corresponds to original filter order[k]. */
  readonly order: readonly number[];
}

/**
 * LinearConv weights whose composed bank best approximates an existing conv's filters W
 * ([F, C/g, kh, kw], OIHW), for converting a pretrained Conv2D. The primaries are p of the original
 * filters, copied exactly; the coefficients are the least-squares fit of the other filters on them
 * (full), or the best rank-R fit (low rank, reduced-rank regression). Computes in float64 and returns
 * arrays of the same type as `filters`; the inputs are not modified.
 *
 * A primary whose residual after projecting out the earlier ones is below 1e-10 of its norm (1e-6 for
 * float32, what that storage resolves) counts as dependent: its coefficients are 0. Nearly dependent
 * primaries above that give large coefficients; `'pivoted'` avoids them.
 *
 * NaN or ±Inf in `filters` is not masked: the fitted weights hold NaN and `relativeError` is NaN.
 */
export function fitCoefficients<T extends FloatArray>(
  spec: LayerSpec,
  filters: T,
  bias?: T,
  options: FitOptions = {},
): FitResult<T> {
  spec = requireLayerSpec('spec', spec);
  const shapes = weightShapes(spec);
  requireLength('filters', filters, shapes.filters);
  if (shapes.bias) requireLength('bias', bias, shapes.bias);
  else if (bias !== undefined) throw new LinearConvError('bias', 'must be absent when useBias is false');
  requireOptions('options', options, ['primaries']);
  const mode = options.primaries ?? 'first';
  if (mode !== 'first' && mode !== 'pivoted') {
    throw new LinearConvError('options.primaries', `must be 'first' or 'pivoted', got ${describe(mode)}`);
  }
  const f = spec.outChannels;
  const p = spec.primaryFilters;
  const s = secondaryFilters(spec);
  const d = filterLength(spec);
  const tol = filters instanceof Float32Array ? 1e-6 : 1e-10;
  const qr = gramSchmidt(filters, f, d, p, mode === 'pivoted', tol);
  const { order, coords, k } = qr;

  const primary = zerosLike(filters, p * d);
  for (let j = 0; j < p; j++) primary.set(filters.subarray(order[j] * d, (order[j] + 1) * d), j * d);
  // C [s, k]: the secondaries' coordinates in the orthonormal basis of the primaries' span.
  const c = new Float64Array(s * k);
  for (let i = 0; i < s; i++) c.set(coords.subarray(order[p + i] * p, order[p + i] * p + k), i * k);

  let weights: LinearConvWeights<T>;
  if (spec.coefficients.kind === 'full') {
    const coefficients = zerosLike(filters, s * p);
    for (let i = 0; i < s; i++) coefficients.set(qr.toPrimaries(c.subarray(i * k, (i + 1) * k)), i * p);
    weights = { primary, coefficients };
  } else {
    const rank = spec.coefficients.rank;
    const column = zerosLike(filters, s * rank);
    const row = zerosLike(filters, rank * p);
    lowRankFactors(c, s, k, rank).forEach(({ left, right }, r) => {
      const rowP = qr.toPrimaries(right);
      // Balance each rank-1 term (equal norms) for training; the product is unchanged. A zero
      // column keeps its nonzero row, so gradients can still reach that component.
      const colNorm = Math.sqrt(dot(left, 0, left, 0, s));
      const rowNorm = Math.sqrt(dot(rowP, 0, rowP, 0, p));
      const scale = colNorm > 0 && rowNorm > 0 ? Math.sqrt(rowNorm / colNorm) : 1;
      for (let i = 0; i < s; i++) column[i * rank + r] = left[i] * scale;
      for (let j = 0; j < p; j++) row[r * p + j] = rowP[j] / scale;
    });
    weights = { primary, column, row };
  }
  if (bias !== undefined) {
    const permuted = zerosLike(bias, f);
    for (let i = 0; i < f; i++) permuted[i] = bias[order[i]];
    weights = { ...weights, bias: permuted };
  }
  return { weights, relativeError: relativeError(spec, weights, filters, order), order };
}

/** Error of the weights as returned (after any float32 rounding), composed in float64. */
function relativeError(spec: LayerSpec, weights: LinearConvWeights, filters: FloatArray, order: number[]): number {
  const composed = composeFilters(spec, weightsAsFloat64(weights));
  const d = filterLength(spec);
  let error = 0;
  let total = 0;
  for (let o = 0; o < order.length; o++) {
    for (let t = 0; t < d; t++) {
      const w = filters[order[o] * d + t];
      error += (composed[o * d + t] - w) ** 2;
      total += w * w;
    }
  }
  return total === 0 ? 0 : Math.sqrt(error / total);
}

/**
 * Modified Gram–Schmidt over the filters (rows of W), choosing p of them as primaries: in order, or
 * (pivot) the one with the largest residual each step, as in column-pivoted QR. Every unchosen row
 * is projected onto each new basis vector q_b, which records its coordinate coords[row, b]; MGS on
 * the whole bank at once is the backward-stable way to solve the least-squares problem (Björck).
 * A chosen row with a negligible residual (dependent on earlier ones) gets no basis vector.
 */
function gramSchmidt(filters: FloatArray, f: number, d: number, p: number, pivot: boolean, tol: number) {
  const res = Float64Array.from(filters);
  const norm2 = new Float64Array(f);
  for (let i = 0; i < f; i++) norm2[i] = dot(res, i * d, res, i * d, d);
  const limit = norm2.map((n) => tol * tol * n);
  const coords = new Float64Array(f * p); // [original filter, basis index]
  const rest = Array.from({ length: f }, (_, i) => i);
  const order: number[] = [];
  const slotBasis: number[] = []; // per primary slot: its basis index, or −1 when dependent
  const basisRow: number[] = []; // per basis vector: the filter it came from
  for (let j = 0; j < p; j++) {
    let at = 0;
    if (pivot) for (let r = 1; r < rest.length; r++) if (norm2[rest[r]] > norm2[rest[at]]) at = r;
    const i = rest.splice(at, 1)[0];
    order.push(i);
    const rho2 = dot(res, i * d, res, i * d, d);
    if (rho2 <= limit[i]) {
      slotBasis.push(-1);
      continue;
    }
    const b = basisRow.length;
    slotBasis.push(b);
    basisRow.push(i);
    const rho = Math.sqrt(rho2);
    coords[i * p + b] = rho;
    for (let t = i * d; t < (i + 1) * d; t++) res[t] /= rho;
    for (const r of rest) {
      const cr = dot(res, r * d, res, i * d, d);
      coords[r * p + b] = cr;
      let n2 = 0;
      for (let t = 0; t < d; t++) {
        const v = res[r * d + t] - cr * res[i * d + t];
        res[r * d + t] = v;
        n2 += v * v;
      }
      norm2[r] = n2;
    }
  }
  const k = basisRow.length;
  // The chosen rows in basis coordinates form T [k, k], lower triangular: V_J = T·Q.
  const tri = (row: number, col: number) => coords[basisRow[row] * p + col];
  /** Coefficients over the p primaries of the combination whose basis coordinates are y: x·T = y. */
  const toPrimaries = (y: Float64Array): Float64Array => {
    const x = new Float64Array(k);
    for (let b = k - 1; b >= 0; b--) {
      let sum = y[b];
      for (let a = b + 1; a < k; a++) sum -= x[a] * tri(a, b);
      x[b] = sum / tri(b, b);
    }
    return Float64Array.from(slotBasis, (b) => (b < 0 ? 0 : x[b]));
  };
  return { order: [...order, ...rest], coords, k, toPrimaries };
}

/**
 * The best rank-r approximation of C [s, k] (Eckart–Young) as r terms left ⊗ right, found by
 * one-sided Jacobi on the rows of C or Cᵀ, whichever has fewer. Rotating rows until they are
 * mutually orthogonal gives Y = Gᵀ·Y' with G orthogonal; the terms G_i ⊗ Y'_i are the SVD's, and the
 * r rows of Y' with the largest norms (the singular values) give the truncation. No division by
 * singular values, so zero or tiny ones are harmless. With r ≥ min(s, k) nothing needs rotating.
 */
function lowRankFactors(c: Float64Array, s: number, k: number, rank: number) {
  const transpose = k < s;
  const [m, n] = transpose ? [k, s] : [s, k];
  const y = transpose ? Float64Array.from({ length: k * s }, (_, i) => c[(i % s) * k + Math.floor(i / s)]) : c.slice();
  const g = new Float64Array(m * m);
  for (let i = 0; i < m; i++) g[i * m + i] = 1;
  const r = Math.min(rank, m);
  if (r < m) orthogonalizeRows(y, g, m, n);
  const norms = Array.from({ length: m }, (_, i) => dot(y, i * n, y, i * n, n));
  const top = norms.map((_, i) => i).sort((a, b) => norms[b] - norms[a]).slice(0, r);
  return top.map((i) => {
    const yi = y.subarray(i * n, (i + 1) * n);
    const gi = g.subarray(i * m, (i + 1) * m);
    return transpose ? { left: yi, right: gi } : { left: gi, right: yi };
  });
}

/** One-sided (Hestenes) Jacobi: rotate pairs of rows of y [m, n] until orthogonal; g records the rotations. */
function orthogonalizeRows(y: Float64Array, g: Float64Array, m: number, n: number): void {
  const norm2 = new Float64Array(m);
  for (let sweep = 0; sweep < 60; sweep++) {
    for (let i = 0; i < m; i++) norm2[i] = dot(y, i * n, y, i * n, n);
    let rotated = false;
    for (let i = 0; i < m - 1; i++) {
      for (let j = i + 1; j < m; j++) {
        const a = norm2[i];
        const b = norm2[j];
        const cross = dot(y, i * n, y, j * n, n);
        if (Math.abs(cross) <= 1e-15 * Math.sqrt(a * b)) continue; // also skips zero rows
        rotated = true;
        // The rotation that zeroes the rows' inner product: t = tan θ, the smaller root of t² + 2ζt − 1.
        const zeta = (b - a) / (2 * cross);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cos = 1 / Math.sqrt(1 + t * t);
        rotate(y, i * n, j * n, n, cos, cos * t);
        rotate(g, i * m, j * m, m, cos, cos * t);
        norm2[i] = a - t * cross;
        norm2[j] = b + t * cross;
      }
    }
    if (!rotated) return;
  }
}

function rotate(x: Float64Array, io: number, jo: number, n: number, cos: number, sin: number): void {
  for (let t = 0; t < n; t++) {
    const u = x[io + t];
    const v = x[jo + t];
    x[io + t] = cos * u - sin * v;
    x[jo + t] = sin * u + cos * v;
  }
}

function dot(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, n: number): number {
  let sum = 0;
  for (let t = 0; t < n; t++) sum += x[xo + t] * y[yo + t];
  return sum;
}
