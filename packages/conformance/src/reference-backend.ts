import { composeFilters, correlationLoss, linearConvBackward, linearConvForward, weightsAsFloat64 } from '@linearconv/core';
import { type Backend, type BackendFactory, TOLERANCES } from './backend.js';

/**
 * Core's float64 reference as a backend. Checking it against the committed cases guards against
 * regressions in core; its correctness itself rests on core's own tests.
 */
export function referenceBackend(): Backend {
  return {
    name: 'reference',
    capabilities: { backward: true, correlation: true, groups: true, dilation: true, lowRank: true },
    tolerance: TOLERANCES.float64,
    compose: (spec, weights) => composeFilters(spec, weightsAsFloat64(weights)),
    forward: linearConvForward,
    backward: linearConvBackward,
    correlation: (primary, primaryCount) => correlationLoss(Float64Array.from(primary), primaryCount),
    dispose: () => {},
  };
}

export const referenceFactory: BackendFactory = { name: 'reference', create: async () => referenceBackend() };
