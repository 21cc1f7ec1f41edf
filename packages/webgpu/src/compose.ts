import { filterLength, type LayerSpec, secondaryFilters } from '@linearconv/core';
import { matmulProgram } from './matmul.js';
import type { Step } from './runtime.js';
import type { Scratch } from './scratch.js';
import type { TileTarget } from './tiles.js';

/** A layer's stored weights on the GPU, float32, the layouts of core's `weightShapes`. */
export interface WeightBuffers {
  readonly primary: GPUBuffer;
  /** [s, p], full coefficients. */
  readonly coefficients?: GPUBuffer;
  /** [s, R] and [R, p], low rank. */
  readonly column?: GPUBuffer;
  readonly row?: GPUBuffer;
  readonly bias?: GPUBuffer;
}

/**
 * The steps that write W = concat(P, A·flat(P)) ([F, C/g, kh, kw]) into `filters`: the primaries
 * by copy, the secondaries by one GEMM (low rank: Col·(Row·P), two GEMMs, never forming A).
 */
export function composeSteps(spec: LayerSpec, weights: WeightBuffers, filters: GPUBuffer, scratch: Scratch, target?: TileTarget): Step[] {
  const p = spec.primaryFilters;
  const s = secondaryFilters(spec);
  const d = filterLength(spec);
  const copy: Step = { copy: { from: weights.primary, to: filters, bytes: p * d * 4 } };
  const secondary = { name: 'filters', offset: p * d };
  if (spec.coefficients.kind === 'full') {
    const program = matmulProgram({ m: s, n: d, k: p, a: { name: 'weights.coefficients' }, b: { name: 'weights.primary' }, out: secondary, target });
    return [copy, { program, buffers: [weights.coefficients!, weights.primary, filters] }];
  }
  const rank = spec.coefficients.rank;
  const reduced = scratch.buffer(rank * d, 'Row·P');
  const rowTimesP = matmulProgram({ m: rank, n: d, k: p, a: { name: 'weights.row' }, b: { name: 'weights.primary' }, out: { name: 'Row·P' }, target });
  const colTimes = matmulProgram({ m: s, n: d, k: rank, a: { name: 'weights.column' }, b: { name: 'Row·P' }, out: secondary, target });
  return [
    copy,
    { program: rowTimesP, buffers: [weights.row!, weights.primary, reduced] },
    { program: colTimes, buffers: [weights.column!, reduced, filters] },
  ];
}
