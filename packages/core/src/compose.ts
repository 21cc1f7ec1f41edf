import { LinearConvError } from './errors.js';
import { filterLength, type LayerSpec, secondaryFilters, weightShapes } from './spec.js';
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

/** The same weights in float64 (arrays already in float64 are shared, not copied). */
export function weightsAsFloat64(weights: LinearConvWeights): LinearConvWeights<Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const [name, value] of Object.entries(weights) as [string, FloatArray | undefined][]) {
    if (value !== undefined) out[name] = value instanceof Float64Array ? value : Float64Array.from(value);
  }
  return out as unknown as LinearConvWeights<Float64Array>;
}

/** Gradients with respect to the stored weights (bias excluded: it does not enter the filters). */
export interface CompositionGradients<T extends FloatArray = FloatArray> {
  readonly primaryGrad: T;
  readonly coefficientsGrad?: T;
  readonly columnGrad?: T;
  readonly rowGrad?: T;
}

/** Checks every weight against the spec's shapes; returns them typed for the arithmetic below. */
export function checkWeights<T extends FloatArray>(spec: LayerSpec, weights: LinearConvWeights<T>): LinearConvWeights<T> {
  const shapes = weightShapes(spec);
  requireLength('weights.primary', weights.primary, shapes.primary);
  if (shapes.coefficients) requireLength('weights.coefficients', weights.coefficients, shapes.coefficients);
  if (shapes.column) requireLength('weights.column', weights.column, shapes.column);
  if (shapes.row) requireLength('weights.row', weights.row, shapes.row);
  if (shapes.bias) requireLength('weights.bias', weights.bias, shapes.bias);
  else if (weights.bias !== undefined) throw new LinearConvError('weights.bias', 'must be absent when useBias is false');
  return weights;
}

/**
 * The composed bank W = concat(P, A·flat(P)), shape [F, C/g, kh, kw], in the primaries' precision.
 * Low rank builds A·P as Col·(Row·P), which never forms A.
 */
export function composeFilters<T extends FloatArray>(spec: LayerSpec, weights: LinearConvWeights<T>): T {
  const { primary, coefficients, column, row } = checkWeights(spec, weights);
  const p = spec.primaryFilters;
  const s = secondaryFilters(spec);
  const d = filterLength(spec);
  const filters = zerosLike(primary, spec.outChannels * d);
  filters.set(primary);
  const secondary = filters.subarray(p * d) as T;
  if (coefficients) {
    matmul(coefficients, primary, secondary, s, p, d);
  } else {
    const rank = (spec.coefficients as { rank: number }).rank;
    const reduced = zerosLike(primary, rank * d);
    matmul(row!, primary, reduced, rank, p, d);
    matmul(column!, reduced, secondary, s, rank, d);
  }
  return filters;
}

/**
 * Backward of composeFilters: given dL/dW ([F, C/g, kh, kw]) returns dL/dP and dL/dA
 * (or dL/dCol, dL/dRow). dP = dW[0:p] + Aᵀ·dW[p:F], dA = dW[p:F]·Pᵀ.
 */
export function composeFiltersBackward<T extends FloatArray>(
  spec: LayerSpec,
  weights: LinearConvWeights<T>,
  filterGrad: T,
): CompositionGradients<T> {
  const { primary, coefficients, column, row } = checkWeights(spec, weights);
  requireLength('filterGrad', filterGrad, weightShapes(spec).filters);
  const p = spec.primaryFilters;
  const s = secondaryFilters(spec);
  const d = filterLength(spec);
  const secondaryGrad = filterGrad.subarray(p * d) as T;
  const primaryGrad = zerosLike(primary, p * d);
  primaryGrad.set(filterGrad.subarray(0, p * d));
  if (coefficients) {
    const coefficientsGrad = zerosLike(primary, s * p);
    matmulTransposeB(secondaryGrad, primary, coefficientsGrad, s, d, p);
    matmulTransposeA(coefficients, secondaryGrad, primaryGrad, s, p, d, true);
    return { primaryGrad, coefficientsGrad };
  }
  const rank = (spec.coefficients as { rank: number }).rank;
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
