import { describe, LinearConvError } from './errors.js';
import { filterLength, type LayerSpec, requireLayerSpec, secondaryFilters, weightShapes } from './spec.js';
import { type FloatArray, requireLength, zerosLike } from './tensor.js';

/**
 * What a LinearConv layer stores. `coefficients` ([s, p]) for full coefficients,
 * `column` ([s, R]) and `row` ([R, p]) for low rank. All row-major, primaries OIHW.
 */
export interface LinearConvWeights<T extends FloatArray = FloatArray> {
  readonly primary: T;
  readonly coefficients?: T;
  readonly column?: T;
  readonly row?: T;
  readonly bias?: T;
}

/**
 * The same weights in float64 (arrays already in float64 are shared, not copied). Each weight
 * must be a Float32Array or Float64Array; shapes are checkWeights' job.
 */
export function weightsAsFloat64(weights: LinearConvWeights): LinearConvWeights<Float64Array> {
  requireWeightsObject(weights);
  const out: Record<string, Float64Array> = {};
  for (const [name, value] of Object.entries(weights) as [string, unknown][]) {
    if (value === undefined) continue;
    if (!(value instanceof Float32Array || value instanceof Float64Array)) {
      throw new LinearConvError(`weights.${name}`, `must be a Float32Array or Float64Array, got ${describe(value)}`);
    }
    out[name] = value instanceof Float64Array ? value : Float64Array.from(value);
  }
  return out as unknown as LinearConvWeights<Float64Array>;
}

const weightNames = ['primary', 'coefficients', 'column', 'row', 'bias'] as const;

function requireWeightsObject(weights: unknown): void {
  if (weights === null || typeof weights !== 'object' || Array.isArray(weights) || ArrayBuffer.isView(weights)) {
    throw new LinearConvError('weights', `must be an object { primary, coefficients | column and row, bias }, got ${describe(weights)}`);
  }
  for (const [name, value] of Object.entries(weights)) {
    if (value !== undefined && !(weightNames as readonly string[]).includes(name)) {
      throw new LinearConvError(`weights.${name}`, `is not a weight (known: ${weightNames.join(', ')})`);
    }
  }
}

/** Gradients with respect to the stored weights (bias excluded: it does not enter the filters). */
export interface CompositionGradients<T extends FloatArray = FloatArray> {
  readonly primaryGrad: T;
  readonly coefficientsGrad?: T;
  readonly columnGrad?: T;
  readonly rowGrad?: T;
}

/**
 * Checks every weight against the spec's shapes (a weight the spec has no place for is refused,
 * not ignored); returns them typed for the arithmetic below. Values are not inspected: NaN and
 * ±Inf are allowed and propagate.
 */
export function checkWeights<T extends FloatArray>(spec: LayerSpec, weights: LinearConvWeights<T>): LinearConvWeights<T> {
  const shapes = weightShapes(spec);
  requireWeightsObject(weights);
  for (const name of weightNames) {
    const shape = shapes[name];
    if (shape) requireLength(`weights.${name}`, weights[name], shape);
    else if (weights[name] !== undefined) {
      const why = name === 'bias' ? 'useBias is false' : `the spec's coefficients are ${requireLayerSpec('spec', spec).coefficients.kind}`;
      throw new LinearConvError(`weights.${name}`, `must be absent when ${why}`);
    }
  }
  return weights;
}

/**
 * The composed bank W = concat(P, A·flat(P)), shape [F, C/g, kh, kw], in the primaries' precision.
 * Low rank builds A·P as Col·(Row·P), which never forms A.
 *
 * Non-finite input propagates (IEEE arithmetic, nothing masked): a NaN or ±Inf primary value is
 * NaN or ±Inf in its own filter and makes the same element of every secondary filter non-finite
 * (0·Inf is NaN); a non-finite coefficient makes its whole secondary filter non-finite.
 */
export function composeFilters<T extends FloatArray>(spec: LayerSpec, weights: LinearConvWeights<T>): T {
  const checked = requireLayerSpec('spec', spec);
  const { primary, coefficients, column, row } = checkWeights(checked, weights);
  const p = checked.primaryFilters;
  const s = secondaryFilters(checked);
  const d = filterLength(checked);
  const filters = zerosLike(primary, checked.outChannels * d);
  filters.set(primary);
  const secondary = filters.subarray(p * d) as T;
  if (checked.coefficients.kind === 'full') {
    matmul(coefficients!, primary, secondary, s, p, d);
  } else {
    const rank = checked.coefficients.rank;
    const reduced = zerosLike(primary, rank * d);
    matmul(row!, primary, reduced, rank, p, d);
    matmul(column!, reduced, secondary, s, rank, d);
  }
  return filters;
}

/**
 * Backward of composeFilters: given dL/dW ([F, C/g, kh, kw]) returns dL/dP and dL/dA
 * (or dL/dCol, dL/dRow). dP = dW[0:p] + Aᵀ·dW[p:F], dA = dW[p:F]·Pᵀ. Non-finite weights or
 * gradients propagate into every gradient they enter, as in composeFilters.
 */
export function composeFiltersBackward<T extends FloatArray>(
  spec: LayerSpec,
  weights: LinearConvWeights<T>,
  filterGrad: T,
): CompositionGradients<T> {
  const checked = requireLayerSpec('spec', spec);
  const { primary, coefficients, column, row } = checkWeights(checked, weights);
  requireLength('filterGrad', filterGrad, weightShapes(checked).filters);
  const p = checked.primaryFilters;
  const s = secondaryFilters(checked);
  const d = filterLength(checked);
  const secondaryGrad = filterGrad.subarray(p * d) as T;
  const primaryGrad = zerosLike(primary, p * d);
  primaryGrad.set(filterGrad.subarray(0, p * d));
  if (checked.coefficients.kind === 'full') {
    const coefficientsGrad = zerosLike(primary, s * p);
    matmulTransposeB(secondaryGrad, primary, coefficientsGrad, s, d, p);
    matmulTransposeA(coefficients!, secondaryGrad, primaryGrad, s, p, d, true);
    return { primaryGrad, coefficientsGrad };
  }
  const rank = checked.coefficients.rank;
  const reduced = zerosLike(primary, rank * d);
  matmul(row!, primary, reduced, rank, p, d);
  const columnGrad = zerosLike(primary, s * rank);
  matmulTransposeB(secondaryGrad, reduced, columnGrad, s, d, rank);
  const reducedGrad = zerosLike(primary, rank * d);
  matmulTransposeA(column!, secondaryGrad, reducedGrad, s, rank, d, false);
  const rowGrad = zerosLike(primary, rank * p);
  matmulTransposeB(reducedGrad, primary, rowGrad, rank, d, p);
  matmulTransposeA(row!, reducedGrad, primaryGrad, rank, p, d, true);
  return { primaryGrad, columnGrad, rowGrad };
}

// Small dense products; sums run in JS doubles whatever the storage precision.

/** out[m, n] = a[m, k] · b[k, n] */
function matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += a[i * k + t] * b[t * n + j];
      out[i * n + j] = sum;
    }
  }
}

/** out[m, n] = a[m, k] · b[n, k]ᵀ */
function matmulTransposeB(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += a[i * k + t] * b[j * k + t];
      out[i * n + j] = sum;
    }
  }
}

/** out[m, n] (+)= a[k, m]ᵀ · b[k, n] */
function matmulTransposeA(
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  k: number,
  m: number,
  n: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = accumulate ? out[i * n + j] : 0;
      for (let t = 0; t < k; t++) sum += a[t * m + i] * b[t * n + j];
      out[i * n + j] = sum;
    }
  }
}
