import { createRandom } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * Replaces every weight of `model` (batch-norm statistics included) with seeded values of a
 * useful scale, so tests are deterministic and outputs are far from zero: kernels He-uniform,
 * coefficients U(−0.2, 0.2), biases and means U(−0.1, 0.1), gammas U(0.8, 1.2), variances U(0.5, 1.5).
 */
export function setSeededWeights(model: LayersModel, seed: number): void {
  const random = createRandom(seed);
  for (const layer of model.layers) {
    const values = layer.weights.map((w) => {
      const shape = w.shape as number[];
      const name = w.originalName.split('/').pop()!;
      const [low, high] = range(name, shape);
      return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.uniform(low, high)), shape);
    });
    if (values.length > 0) layer.setWeights(values);
    tf.dispose(values);
  }
}

function range(name: string, shape: number[]): [number, number] {
  switch (name) {
    case 'kernel':
    case 'primary':
    case 'pointwise_kernel':
    case 'depthwise_kernel': {
      // Fan-in: a depthwise filter reads one channel.
      const fanIn = name === 'depthwise_kernel' ? shape[0] * shape[1] : shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const a = Math.sqrt(6 / fanIn);
      return [-a, a];
    }
    case 'coefficients':
    case 'column':
    case 'row':
      return [-0.2, 0.2];
    case 'gamma':
      return [0.8, 1.2];
    case 'moving_variance':
      return [0.5, 1.5];
    default:
      return [-0.1, 0.1];
  }
}
