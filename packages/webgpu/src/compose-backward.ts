import { filterLength, type LayerSpec, secondaryFilters } from '@linearconv/core';
import type { WeightBuffers } from './compose.js';
import { matmulProgram } from './matmul.js';
import type { Step } from './runtime.js';
import type { Scratch } from './scratch.js';
import type { TileTarget } from './tiles.js';

/** Gradients of the stored weights the composition reads; full or low rank. */
export interface CompositionGradBuffers {
  readonly primaryGrad: GPUBuffer;
  readonly coefficientsGrad?: GPUBuffer;
  readonly columnGrad?: GPUBuffer;
  readonly rowGrad?: GPUBuffer;
}

/**
 * The steps from dW ([F, D]) to the stored weights' gradients: dP = dW[0:p] + Aᵀ·dW[p:F] and
 * dA = dW[p:F]·Pᵀ; low rank by the chain rule through Col and Row, with R = Row·P:
 * dCol = dW[p:F]·Rᵀ, dR = Colᵀ·dW[p:F], dRow = dR·Pᵀ, dP = dW[0:p] + Rowᵀ·dR.
 */
export function composeBackwardSteps(
  spec: LayerSpec,
  weights: WeightBuffers,
  filterGrad: GPUBuffer,
  grads: CompositionGradBuffers,
  scratch: Scratch,
  target?: TileTarget,
): Step[] {
  const p = spec.primaryFilters;
  const s = secondaryFilters(spec);
  const d = filterLength(spec);
  const dWs = { name: 'filterGrad', offset: p * d };
  const dWp = { name: 'filterGrad', offset: 0 };
  if (spec.coefficients.kind === 'full') {
    const dA = matmulProgram({ m: s, n: p, k: d, a: dWs, b: { name: 'weights.primary', transposed: true }, out: { name: 'coefficientsGrad' }, target });
    const dP = matmulProgram({ m: p, n: d, k: s, a: { name: 'weights.coefficients', transposed: true }, b: dWs, addend: dWp, out: { name: 'primaryGrad' }, target });
    return [
      { program: dA, buffers: [filterGrad, weights.primary, grads.coefficientsGrad!] },
      { program: dP, buffers: [weights.coefficients!, filterGrad, filterGrad, grads.primaryGrad] },
    ];
  }
  const rank = spec.coefficients.rank;
  const reduced = scratch.buffer(rank * d, 'Row·P');
  const reducedGrad = scratch.buffer(rank * d, 'd(Row·P)');
  const programs = {
    reduced: matmulProgram({ m: rank, n: d, k: p, a: { name: 'weights.row' }, b: { name: 'weights.primary' }, out: { name: 'Row·P' }, target }),
    dCol: matmulProgram({ m: s, n: rank, k: d, a: dWs, b: { name: 'Row·P', transposed: true }, out: { name: 'columnGrad' }, target }),
    dR: matmulProgram({ m: rank, n: d, k: s, a: { name: 'weights.column', transposed: true }, b: dWs, out: { name: 'd(Row·P)' }, target }),
    dRow: matmulProgram({ m: rank, n: p, k: d, a: { name: 'd(Row·P)' }, b: { name: 'weights.primary', transposed: true }, out: { name: 'rowGrad' }, target }),
    dP: matmulProgram({ m: p, n: d, k: rank, a: { name: 'weights.row', transposed: true }, b: { name: 'd(Row·P)' }, addend: dWp, out: { name: 'primaryGrad' }, target }),
  };
  return [
    { program: programs.reduced, buffers: [weights.row!, weights.primary, reduced] },
    { program: programs.dCol, buffers: [filterGrad, reduced, grads.columnGrad!] },
    { program: programs.dR, buffers: [weights.column!, filterGrad, reducedGrad] },
    { program: programs.dRow, buffers: [reducedGrad, weights.primary, grads.rowGrad!] },
    { program: programs.dP, buffers: [weights.row!, reducedGrad, filterGrad, grads.primaryGrad] },
  ];
}
