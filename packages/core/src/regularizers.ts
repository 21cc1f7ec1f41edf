import { LinearConvError, requirePositiveInteger } from './errors.js';
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
 */
export function correlationMatrix(primary: FloatArray, primaryCount: number): Float64Array {
  return pearson(primary, primaryCount).corr;
}

/**
 * The paper's correlation loss for one layer: L = Σ_{i≠j} |C_ij| (each pair counted twice),
 * with its analytic gradient. No normalisation by layer size, as in the authors' code.
 */
export function correlationLoss<T extends FloatArray>(primary: T, primaryCount: number): RegularizerResult<T> {
  const { p, d, centred, variance, raw, corr } = pearson(primary, primaryCount);
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
      const scale = Math.sqrt(variance[i] * variance[j]);
      upstream[i * p + j] += sign / scale;
      upstream[i * p + i] -= (0.5 * sign * c) / variance[i];
      upstream[j * p + j] -= (0.5 * sign * c) / variance[j];
    }
  }
  // Σ = Xc·Xcᵀ/(D−1) ⇒ dXc = (U + Uᵀ)·Xc/(D−1); then centring projects out each row's mean.
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
    for (let k = 0; k < d; k++) grad[i * d + k] = row[k] - mean;
  }
  return { value, grad };
}

/**
 * Soft orthogonality of the row-normalised primaries: L = ||V̂·V̂ᵀ − I||²_F, V̂_i = V_i/||V_i||.
 * A zero filter normalises to zero: it contributes 1 (its diagonal) and no gradient.
 */
export function orthogonalityLoss<T extends FloatArray>(primary: T, primaryCount: number): RegularizerResult<T> {
  const { p, d } = rows(primary, primaryCount, 1);
  const norms = new Float64Array(p);
  const unit = new Float64Array(p * d);
  for (let i = 0; i < p; i++) {
    let sq = 0;
    for (let k = 0; k < d; k++) sq += primary[i * d + k] ** 2;
    norms[i] = Math.sqrt(sq);
    if (norms[i] > 0) for (let k = 0; k < d; k++) unit[i * d + k] = primary[i * d + k] / norms[i];
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
  const p = requirePositiveInteger('primaryCount', primaryCount);
  if (!(primary instanceof Float32Array || primary instanceof Float64Array)) {
    throw new LinearConvError('primary', 'must be a Float32Array or Float64Array');
  }
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

function pearson(primary: FloatArray, primaryCount: number) {
  const { p, d } = rows(primary, primaryCount, 2);
  const centred = new Float64Array(p * d);
  for (let i = 0; i < p; i++) {
    let mean = 0;
    for (let k = 0; k < d; k++) mean += primary[i * d + k];
    mean /= d;
    for (let k = 0; k < d; k++) centred[i * d + k] = primary[i * d + k] - mean;
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
  const variance = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let meanSquare = 0;
    for (let k = 0; k < d; k++) meanSquare += primary[i * d + k] ** 2;
    const v = covariance[i * p + i];
    variance[i] = v > 1e-24 * (meanSquare / d) ? v : 0;
  }
  const raw = new Float64Array(p * p);
  const corr = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      if (variance[i] > 0 && variance[j] > 0) {
        raw[i * p + j] = covariance[i * p + j] / Math.sqrt(variance[i] * variance[j]);
        corr[i * p + j] = Math.min(1, Math.max(-1, raw[i * p + j]));
      } else if (i === j) {
        corr[i * p + j] = 1;
      }
    }
  }
  return { p, d, centred, variance, raw, corr };
}
