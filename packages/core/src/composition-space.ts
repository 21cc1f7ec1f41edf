import { LinearConvError, requirePositiveInteger } from './errors.js';
import { filterLength, type LayerSpec, requireLayerSpec } from './spec.js';

/**
 * Where a training step composes a LinearConv layer. `weight`: build the F filters
 * W = concat(P, A·P) and run one conv with F filters. `output`: run the conv with the p primaries
 * only and mix its outputs, y = y_p·Mᵀ with M = concat(I_p, A) ([F, p]); by linearity the same y.
 */
export type CompositionSpace = 'weight' | 'output';

/**
 * Forward multiply-adds of one training step of the layer, each way, for `outputPositions`
 * = N·H'·W' output pixels (D = (C/g)·kh·kw, s = F − p):
 * weight space N·H'·W'·F·D + s·p·D (low rank: R·p·D + s·R·D, never forming A);
 * output space N·H'·W'·p·(D + F) (low rank: + s·R·p to form A = column·row).
 */
export function compositionSpaceMacs(spec: LayerSpec, outputPositions: number): Record<CompositionSpace, number> {
  spec = requireLayerSpec('spec', spec);
  const n = requirePositiveInteger('outputPositions', outputPositions);
  const d = filterLength(spec);
  const f = spec.outChannels;
  const p = spec.primaryFilters;
  const s = f - p;
  const { coefficients } = spec;
  const composition = coefficients.kind === 'full' ? s * p * d : coefficients.rank * (p + s) * d;
  const mixing = coefficients.kind === 'full' ? 0 : s * coefficients.rank * p;
  return { weight: exact(n * f * d + composition), output: exact(n * p * (d + f) + mixing) };
}

/**
 * The cheaper composition for a training step, by forward multiply-adds (the backward pass
 * scales the same way). Grouped layers always compose in weight space: a secondary filter's
 * weights mix primaries of every group yet it reads only its own group's channels, whereas mixing
 * the primaries' outputs would mix responses to every group's channels, a different layer.
 * Ties go to weight space, the path inference takes.
 */
export function cheaperCompositionSpace(spec: LayerSpec, outputPositions: number): CompositionSpace {
  const macs = compositionSpaceMacs(spec, outputPositions);
  return spec.groups === 1 && macs.output < macs.weight ? 'output' : 'weight';
}

function exact(count: number): number {
  if (!Number.isSafeInteger(count)) {
    throw new LinearConvError('outputPositions', `gives a count of ${count}, beyond Number.MAX_SAFE_INTEGER (2^53 − 1)`);
  }
  return count;
}
