import { LinearConvError } from '@linearconv/core';
import { matmulProgram } from './matmul.js';
import { type BindingDeclaration, bindingsOf, declareBindings, declareUniforms, linearGrid, type Program } from './program.js';
import { centreRowsProgram, rowSumsProgram } from './reductions.js';
import type { Step } from './runtime.js';
import type { Scratch } from './scratch.js';
import type { TileTarget } from './tiles.js';
import { uniformLayout } from './uniforms.js';

const TERMS_UNIFORMS = uniformLayout('Params', [
  ['p', 'u32'],
  ['d', 'u32'],
  ['gridX', 'u32'],
]);

/** Checks p rows of length d as core's regularisers do; `minLength` 2 for a sample correlation. */
export function checkRows(primaryCount: number, filterLength: number, minLength: number): void {
  if (!Number.isInteger(primaryCount) || primaryCount < 1) {
    throw new LinearConvError('primaryCount', `must be a positive integer, got ${primaryCount}`);
  }
  if (!Number.isInteger(filterLength) || filterLength < minLength) {
    throw new LinearConvError(
      'primary',
      `filters of length ${filterLength} have no sample correlation: each primary filter needs at least ${minLength} values (D = C/g·kh·kw)`,
    );
  }
}

/**
 * Per row i of the covariance: the guarded variances, |C_ij| summed over j ≠ i into `rowValues`,
 * and row i of M = (U + Uᵀ)/(D − 1), the loss's derivative with respect to the centred rows:
 * M_ij = 2·sign(C_ij)/√(v_i·v_j)/(D − 1), M_ii = −2·Σ_j |C_ij|/v_i/(D − 1), over the pairs where
 * both variances are non-zero and the correlation was not clamped (core's rule).
 * Bindings: covariance, meanSquares, terms (M), rowValues.
 */
export function correlationTermsProgram(p: number, d: number): Program {
  const bindings: BindingDeclaration[] = [
    { name: 'covariance', variable: 'cov', access: 'read', bytes: p * p * 4, type: 'array<f32>' },
    { name: 'meanSquares', variable: 'meanSquares', access: 'read', bytes: p * 4, type: 'array<f32>' },
    { name: 'terms', variable: 'terms', access: 'read_write', bytes: p * p * 4, type: 'array<f32>' },
    { name: 'rowValues', variable: 'rowValues', access: 'read_write', bytes: p * 4, type: 'array<f32>' },
  ];
  const [x, y] = linearGrid(Math.ceil(p / 64));
  const code = `${declareBindings(bindings)}
${declareUniforms(TERMS_UNIFORMS, bindings.length)}

// A constant filter's variance is rounding noise, not signal: treated as exactly zero.
fn variance(i: u32) -> f32 {
  let v = cov[i * params.p + i];
  return select(0.0, v, v > 1e-24 * meanSquares[i]);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * params.gridX * 64u;
  if (i >= params.p) { return; }
  let vi = variance(i);
  let scaleBack = 2.0 / f32(params.d - 1u);
  var value = 0.0;
  var diagonal = 0.0;
  for (var j = 0u; j < params.p; j++) {
    if (j == i) { continue; }
    let vj = variance(j);
    var m = 0.0;
    if (vi > 0.0 && vj > 0.0) {
      let scale = sqrt(vi * vj);
      let raw = cov[i * params.p + j] / scale;
      let c = clamp(raw, -1.0, 1.0);
      value += abs(c);
      // A clamped entry: the loss is flat there.
      if (abs(raw) <= 1.0) {
        m = scaleBack * sign(c) / scale;
        diagonal -= scaleBack * abs(c) / vi;
      }
    }
    terms[i * params.p + j] = m;
  }
  terms[i * params.p + i] = diagonal;
  rowValues[i] = value;
}
`;
  return {
    key: 'correlation-terms',
    code,
    bindings: bindingsOf(bindings),
    workgroups: [x, y, 1],
    uniforms: { layout: TERMS_UNIFORMS, values: { p, d, gridX: x } },
  };
}

/** Where the correlation loss is written: a 1-float value buffer and a [p, D] gradient. */
export interface RegularizerBuffers {
  readonly value: GPUBuffer;
  readonly grad: GPUBuffer;
}

/**
 * The paper's correlation loss of p primaries of length d, as core defines it: centre the rows
 * (shifted by their first value, so a constant row is exactly zero), Σ = Xc·Xcᵀ/(D − 1), the
 * guarded and clamped Pearson matrix, L = Σ_{i≠j} |C_ij|, grad = centre(M·Xc).
 */
export function correlationSteps(primary: GPUBuffer, p: number, d: number, out: RegularizerBuffers, scratch: Scratch, target?: TileTarget): Step[] {
  checkRows(p, d, 2);
  const centred = scratch.buffer(p * d, 'centred');
  const meanSquares = scratch.buffer(p, 'meanSquares');
  const covariance = scratch.buffer(p * p, 'covariance');
  const terms = scratch.buffer(p * p, 'terms');
  const rowValues = scratch.buffer(p, 'rowValues');
  const rawGrad = scratch.buffer(p * d, 'M·Xc');
  const programs = {
    centre: centreRowsProgram(p, d, true, { x: 'primary', out: 'centred' }),
    covariance: matmulProgram({ m: p, n: p, k: d, a: { name: 'centred' }, b: { name: 'centred', transposed: true }, alpha: 1 / (d - 1), out: { name: 'covariance' }, target }),
    terms: correlationTermsProgram(p, d),
    value: rowSumsProgram(1, { blocks: 1, blockStride: 0, length: p }, false, { x: 'rowValues', sums: 'value', xFloats: p }),
    grad: matmulProgram({ m: p, n: d, k: p, a: { name: 'terms' }, b: { name: 'centred' }, out: { name: 'M·Xc' }, target }),
    centreGrad: centreRowsProgram(p, d, false, { x: 'M·Xc', out: 'grad' }),
  };
  return [
    { program: programs.centre, buffers: [primary, centred, meanSquares] },
    { program: programs.covariance, buffers: [centred, centred, covariance] },
    { program: programs.terms, buffers: [covariance, meanSquares, terms, rowValues] },
    { program: programs.value, buffers: [rowValues, out.value] },
    { program: programs.grad, buffers: [terms, centred, rawGrad] },
    { program: programs.centreGrad, buffers: [rawGrad, out.grad] },
  ];
}
