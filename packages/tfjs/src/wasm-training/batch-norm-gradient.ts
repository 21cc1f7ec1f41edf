import * as tf from '@tensorflow/tfjs-core';
import { FusedBatchNorm, type FusedBatchNormAttrs, type GradConfig, getGradient, registerGradient } from '@tensorflow/tfjs-core';
import { BACKEND } from './program.js';

/**
 * tfjs-core's FusedBatchNorm gradient tiles rsqrt(variance) to the activation's size and makes
 * about ten full-size passes. The same derivatives with broadcasting and two reductions over
 * N·H·W (Σdy and Σdy·(x − mean), shared by mean, variance, scale and offset):
 *   r = 1/√(var + ε), g = scale·r
 *   ∂x = dy·g, ∂mean = −g·Σdy, ∂var = −½·g·r²·Σdy(x − mean), ∂scale = r·Σdy(x − mean), ∂offset = Σdy.
 * Gradients are global to tfjs, so this one applies on wasm only and defers to the one it
 * replaced elsewhere (other backends stay bit-for-bit as they were).
 */
export function batchNormGradient(original: GradConfig): GradConfig {
  return {
    kernelName: FusedBatchNorm,
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dyOrDys, saved, attrs) => {
      const dy = dyOrDys as tf.Tensor;
      const [x, mean, variance, scale] = saved;
      if (tf.getBackend() !== BACKEND || mean.rank !== 1 || x.rank < 2) return original.gradFunc(dyOrDys, saved, attrs);
      const { varianceEpsilon } = attrs as unknown as FusedBatchNormAttrs;
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      // Computed once for all five closures; the engine frees them when the backward pass ends.
      const [r, g, sumDy, sumDyCentred] = tf.tidy(() => {
        const r = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
        const g = scale == null ? r : tf.mul(r, scale);
        return [r, g, tf.sum(dy, axes), tf.sum(tf.mul(dy, tf.sub(x, mean)), axes)];
      });
      return {
        x: () => tf.mul(dy, g),
        mean: () => tf.neg(tf.mul(g, sumDy)),
        variance: () => tf.mul(tf.mul(g, tf.mul(r, r)), tf.mul(sumDyCentred, tf.scalar(-0.5))),
        scale: () => tf.mul(r, sumDyCentred),
        offset: () => tf.clone(sumDy),
      };
    },
  };
}

let installed: GradConfig | undefined;

/** Replaces FusedBatchNorm's gradient once (keyed to wasm inside), keeping the original for other backends. */
export function installBatchNormGradient(): void {
  const current = getGradient(FusedBatchNorm);
  if (current == null || current === installed) return;
  installed = batchNormGradient(current);
  registerGradient(installed);
}

