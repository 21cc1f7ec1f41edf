import { checkRows, type RegularizerBuffers } from './correlation.js';
import { matmulProgram } from './matmul.js';
import { normaliseRowsProgram, projectRowsProgram, rowSumsProgram } from './reductions.js';
import type { Step } from './runtime.js';
import type { Scratch } from './scratch.js';
import type { TileTarget } from './tiles.js';

/**
 * Soft orthogonality of the row-normalised primaries, as core defines it: L = ||V̂·V̂ᵀ − I||²_F;
 * dL/dV̂ = 4·(G − I)·V̂, then through the normalisation. A zero row adds 1 and gets no gradient.
 */
export function orthogonalitySteps(primary: GPUBuffer, p: number, d: number, out: RegularizerBuffers, scratch: Scratch, target?: TileTarget): Step[] {
  checkRows(p, d, 1);
  const unit = scratch.buffer(p * d, 'unit');
  const norms = scratch.buffer(p, 'norms');
  const residual = scratch.buffer(p * p, 'G − I');
  const unitGrad = scratch.buffer(p * d, 'dV̂');
  const programs = {
    normalise: normaliseRowsProgram(p, d),
    residual: matmulProgram({ m: p, n: p, k: d, a: { name: 'unit' }, b: { name: 'unit', transposed: true }, subtractIdentity: true, out: { name: 'G − I' }, target }),
    value: rowSumsProgram(1, { blocks: 1, blockStride: 0, length: p * p }, true, { x: 'G − I', sums: 'value', xFloats: p * p }),
    unitGrad: matmulProgram({ m: p, n: d, k: p, a: { name: 'G − I' }, b: { name: 'unit' }, alpha: 4, out: { name: 'dV̂' }, target }),
    project: projectRowsProgram(p, d),
  };
  return [
    { program: programs.normalise, buffers: [primary, unit, norms] },
    { program: programs.residual, buffers: [unit, unit, residual] },
    { program: programs.value, buffers: [residual, out.value] },
    { program: programs.unitGrad, buffers: [residual, unit, unitGrad] },
    { program: programs.project, buffers: [unitGrad, unit, norms, out.grad] },
  ];
}
