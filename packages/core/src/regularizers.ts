import { describe, LinearConvError, requirePositiveInteger } from './errors.js';
import { type FloatArray, zerosLike } from './tensor.js';

/** A regulariser's value and its gradient with respect to the primaries (same shape and precision). */
export interface RegularizerResult<T extends FloatArray = FloatArray> {
  readonly value: number;
  readonly grad: T;
}

/**
 * Pearson correlation between the p flattened primaries (rows of `primary`, each of length D),
 * clamped to [−1, 1]. A filter with zero variance is uncorrelated with everything (its row and
 * column are 0, its diagonal 1) rather than NaN, which the authors' code would give.
 *
 * Non-finite input is not masked: the row and column (diagonal included) of a filter holding NaN
 * or ±Inf are NaN. Finite values of any magnitude are exact: each filter is scaled by its largest
 * |value| first (correlation does not change), so squares neither overflow nor underflow.
 */
export function correlationMatrix(primary: FloatArray, primaryCount: number): Float64Array {
  return pearson(primary, primaryCount).corr;
}

/**
 * The paper's correlation loss for one layer: L = Σ_{i≠j} |C_ij| (each pair counted twice),
 * with its analytic gradient. No normalisation by layer size, as in the authors' code.
 *
 * NaN or ±Inf anywhere in `primary` gives value NaN and a gradient of NaN everywhere, so a
 * diverging training run shows as NaN instead of a healthy-looking loss.
 */
export function correlationLoss<T extends FloatArray>(primary: T, primaryCount: number): RegularizerResult<T> {
  const { p, d, scale, centred, variance, raw, corr, finite } = pearson(primary, primaryCount);
  if (!finite) return { value: Number.NaN, grad: zerosLike(primary, p * d).fill(Number.NaN) as T };
  let value = 0;
  // upstream[i, j] = dL/dΣ_ij, treating Σ_ij and Σ_ji as the separate entries they are in L.
  const upstream = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      if (i === j) continue;
      const c = corr[i * p + j];
      value += Math.abs(c);
      // Zero variance, or a clamped entry: the loss is flat in Σ there.
      if (variance[i] <= 0 || variance[j] <= 0 || Math.abs(raw[i * p + j]) > 1) continue;
      const sign = Math.sign(c);
      const root = Math.sqrt(variance[i] * variance[j]);
      upstream[i * p + j] += sign / root;
      upstream[i * p + i] -= (0.5 * sign * c) / variance[i];
      upstream[j * p + j] -= (0.5 * sign * c) / variance[j];
    }
  }
  // Σ = Xc·Xcᵀ/(D−1) ⇒ dXc = (U + Uᵀ)·Xc/(D−1); then centring projects out each row's mean.
  // Xc is of the scaled filters X/s_i, and L(X) = L(X/s_i) for a fixed s_i: dX_i = dXs_i / s_i.
  const grad = zerosLike(primary, p * d);
  for (let i = 0; i < p; i++) {
    let mean = 0;
    const row = new Float64Array(d);
    for (let j = 0; j < p; j++) {
      const u = (upstream[i * p + j] + upstream[j * p + i]) / (d - 1);
      if (u === 0) continue;
      for (let k = 0; k < d; k++) row[k] += u * centred[j * d + k];
    }
    for (let k = 0; k < d; k++) mean += row[k];
    mean /= d;
    if (scale[i] > 0) for (let k = 0; k < d; k++) grad[i * d + k] = (row[k] - mean) / scale[i];
  }
  return { value, grad };
}

/**
 * Soft orthogonality of the row-normalised primaries: L = ||V̂·V̂ᵀ − I||²_F, V̂_i = V_i/||V_i||.
 * A zero filter normalises to zero: it contributes 1 (its diagonal) and no gradient.
 *
 * NaN or ±Inf anywhere in `primary` gives value NaN and a gradient of NaN everywhere. Finite
 * values of any magnitude normalise exactly (scaled by the largest |value| before squaring).
 */
export function orthogonalityLoss<T extends FloatArray>(primary: T, primaryCount: number): RegularizerResult<T> {
  const { p, d } = rows(primary, primaryCount, 1);
  const scale = rowScales(primary, p, d);
  if (scale.some((s) => !Number.isFinite(s))) {
    return { value: Number.NaN, grad: zerosLike(primary, p * d).fill(Number.NaN) as T };
  }
  const norms = new Float64Array(p);
  const unit = new Float64Array(p * d);
  for (let i = 0; i < p; i++) {
    if (scale[i] === 0) continue;
    let sq = 0;
    for (let k = 0; k < d; k++) sq += (primary[i * d + k] / scale[i]) ** 2;
    const scaledNorm = Math.sqrt(sq);
    norms[i] = scale[i] * scaledNorm;
    for (let k = 0; k < d; k++) unit[i * d + k] = primary[i * d + k] / scale[i] / scaledNorm;
  }
  const residual = new Float64Array(p * p);
  let value = 0;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += unit[i * d + k] * unit[j * d + k];
      const r = dot - (i === j ? 1 : 0);
      residual[i * p + j] = r;
      value += r * r;
    }
  }
  // dL/dV̂ = 4·(G − I)·V̂; through the normalisation dV_i = (dV̂_i − V̂_i(V̂_i·dV̂_i)) / ||V_i||.
  const grad = zerosLike(primary, p * d);
  const gUnit = new Float64Array(d);
  for (let i = 0; i < p; i++) {
    if (norms[i] === 0) continue;
    gUnit.fill(0);
    for (let j = 0; j < p; j++) {
      const r = 4 * residual[i * p + j];
      for (let k = 0; k < d; k++) gUnit[k] += r * unit[j * d + k];
    }
    let radial = 0;
    for (let k = 0; k < d; k++) radial += gUnit[k] * unit[i * d + k];
    for (let k = 0; k < d; k++) grad[i * d + k] = (gUnit[k] - radial * unit[i * d + k]) / norms[i];
  }
  return { value, grad };
}

function rows(primary: FloatArray, primaryCount: number, minLength: number): { p: number; d: number } {
  if (!(primary instanceof Float32Array || primary instanceof Float64Array)) {
    throw new LinearConvError('primary', `must be a Float32Array or Float64Array, got ${describe(primary)}`);
  }
  const p = requirePositiveInteger('primaryCount', primaryCount);
  if (primary.length === 0 || primary.length % p !== 0) {
    throw new LinearConvError('primary', `must hold primaryCount (${p}) rows of equal length, got ${primary.length} values`);
  }
  const d = primary.length / p;
  if (d < minLength) {
    throw new LinearConvError(
      'primary',
      `filters of length ${d} have no sample correlation: each primary filter needs at least ${minLength} values (D = C/g·kh·kw)`,
    );
  }
  return { p, d };
}

/** Per row, the largest |value|: 0 for a zero row, NaN for a row holding NaN or ±Inf. */
function rowScales(primary: FloatArray, p: number, d: number): Float64Array {
  const scale = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let max = 0;
    for (let k = 0; k < d; k++) {
      const v = Math.abs(primary[i * d + k]);
      if (!(v <= max)) max = v; // NaN fails every comparison: it lands here and stays.
      if (Number.isNaN(max) || max === Number.POSITIVE_INFINITY) break;
    }
    scale[i] = Number.isFinite(max) ? max : Number.NaN;
  }
  return scale;
}

function pearson(primary: FloatArray, primaryCount: number) {
  const { p, d } = rows(primary, primaryCount, 2);
  const scale = rowScales(primary, p, d);
  const finite = scale.every(Number.isFinite);
  // The scaled filters X_i / s_i: same correlations, no overflow or underflow in the squares.
  const centred = new Float64Array(p * d);
  const meanSquare = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const s = scale[i] > 0 ? scale[i] : 1;
    let mean = 0;
    for (let k = 0; k < d; k++) {
      const v = primary[i * d + k] / s;
      mean += v;
      meanSquare[i] += v * v;
    }
    mean /= d;
    meanSquare[i] /= d;
    for (let k = 0; k < d; k++) centred[i * d + k] = primary[i * d + k] / s - mean;
  }
  const covariance = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += centred[i * d + k] * centred[j * d + k];
      covariance[i * p + j] = covariance[j * p + i] = sum / (d - 1);
    }
  }
  // A constant filter's variance is rounding noise, not signal: treat it as exactly zero.
  // A non-finite filter's is NaN, which every entry it enters inherits.
  const variance = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const v = covariance[i * p + i];
    variance[i] = Number.isNaN(scale[i]) ? Number.NaN : v > 1e-24 * meanSquare[i] ? v : 0;
  }
  const raw = new Float64Array(p * p);
  const corr = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      if (Number.isNaN(variance[i]) || Number.isNaN(variance[j])) {
        raw[i * p + j] = corr[i * p + j] = Number.NaN;
      } else if (variance[i] > 0 && variance[j] > 0) {
        raw[i * p + j] = covariance[i * p + j] / Math.sqrt(variance[i] * variance[j]);
        corr[i * p + j] = Math.min(1, Math.max(-1, raw[i * p + j]));
      } else if (i === j) {
        corr[i * p + j] = 1;
      }
    }
  }
  return { p, d, scale, centred, variance, raw, corr, finite };
}
