import {
  composeFilters,
  conv2d,
  convGeometry,
  correlationLoss,
  LinearConvError,
  linearConvBackward,
  linearConvForward,
  outputShape,
  weightShapes,
  weightsAsFloat64,
} from '@linearconv/core';
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
    // Composed once here either way, so LinearConv and the plain conv run the same conv2d: the
    // reference has no separate plain path to compare, which is the point of composing once.
    async prepare(spec, weights, inputShape) {
      outputShape(spec, inputShape);
      const shape = [...inputShape];
      const w = weightsAsFloat64(weights);
      const filters = { shape: weightShapes(spec).filters, data: composeFilters(spec, w) };
      const { padding } = convGeometry(spec, shape[2], shape[3]);
      const options = { strides: spec.strides, padding, dilation: spec.dilation, groups: spec.groups };
      return {
        async run(input) {
          if (input.shape.length !== 4 || input.shape.some((d, i) => d !== shape[i])) {
            throw new LinearConvError('input.shape', `must be [${shape.join(', ')}] as prepared, got [${input.shape.join(', ')}]`);
          }
          return conv2d(input, filters, w.bias, options);
        },
        dispose: () => {},
      };
    },
    dispose: () => {},
  };
}

export const referenceFactory: BackendFactory = { name: 'reference', create: async () => referenceBackend() };
