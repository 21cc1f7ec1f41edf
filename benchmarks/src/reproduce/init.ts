/**
 * Seeded initial weights. tfjs's default initialisers draw from Math.random, so after building a
 * model we overwrite every weight with the same distributions drawn from core's `createRandom`:
 * a seed then fixes the starting point of a run exactly.
 */
import { createRandom, uniformArray } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Glorot-uniform conv kernels, LinearConv primaries and dense kernels (tfjs's default, and the
 * authors' choice for the primaries: for [kh, kw, C, p] its fans are C·kh·kw and p·kh·kw),
 * U(−0.1, 0.1) coefficients (the authors'), zero biases and BN shifts, unit BN scales.
 * The BN moving statistics keep their constant starts (0 and 1).
 */
export function seedWeights(model: tf.LayersModel, seed: number): void {
  const random = createRandom(seed);
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      const name = weight.originalName.split('/').at(-1)!;
      const shape = weight.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      let values: Float32Array;
      switch (name) {
        case 'kernel':
        case 'primary': {
          const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
          const [fanIn, fanOut] = [shape.at(-2)! * receptive, shape.at(-1)! * receptive];
          const limit = Math.sqrt(6 / (fanIn + fanOut));
          values = uniformArray(random, size, -limit, limit);
          break;
        }
        case 'coefficients':
        case 'column':
        case 'row':
          values = uniformArray(random, size, -0.1, 0.1);
          break;
        case 'bias':
        case 'beta':
        case 'moving_mean':
          values = new Float32Array(size);
          break;
        case 'gamma':
        case 'moving_variance':
          values = new Float32Array(size).fill(1);
          break;
        default:
          throw new Error(`seedWeights: no seeded initialiser for weight ${weight.originalName} of layer ${layer.name}`);
      }
      // write() takes its own reference to the data, so ours can go.
      const tensor = tf.tensor(values, shape);
      weight.write(tensor);
      tensor.dispose();
    }
  }
}
