import { describe, LinearConvError } from './errors.js';
import type { LinearConvWeights } from './compose.js';
import type { Random } from './random.js';
import { requireRandom, uniformArray } from './random.js';
import { type LayerSpec, MAX_ELEMENTS, weightShapes } from './spec.js';
import { sizeOf } from './tensor.js';

/**
 * Glorot/Xavier uniform for an OIHW tensor, with PyTorch's fans:
 * fan_in = I·kh·kw, fan_out = O·kh·kw, bound = sqrt(6 / (fan_in + fan_out)).
 */
export function xavierUniform(random: Random, shape: readonly number[]): Float32Array {
  requireRandom('random', random);
  if (!Array.isArray(shape) || shape.length < 2 || !shape.every((d) => Number.isInteger(d) && d > 0) || sizeOf(shape) > MAX_ELEMENTS) {
    throw new LinearConvError('shape', `must be [out, in, …] of positive integers holding at most ${MAX_ELEMENTS} values, got ${describe(shape)}`);
  }
  const receptive = sizeOf(shape.slice(2));
  const fanIn = shape[1] * receptive;
  const fanOut = shape[0] * receptive;
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  return uniformArray(random, sizeOf(shape), -bound, bound);
}

/**
 * The authors' initialisation: Xavier-uniform primaries (fan_in = (C/g)·kh·kw, fan_out = p·kh·kw),
 * U(−0.1, 0.1) for the coefficients (or column and row) and the bias.
 */
export function initialWeights(spec: LayerSpec, random: Random): LinearConvWeights<Float32Array> {
  const shapes = weightShapes(spec);
  requireRandom('random', random);
  const small = (shape: readonly number[] | undefined) =>
    shape ? uniformArray(random, sizeOf(shape), -0.1, 0.1) : undefined;
  const primary = xavierUniform(random, shapes.primary);
  const coefficients = small(shapes.coefficients);
  const column = small(shapes.column);
  const row = small(shapes.row);
  const bias = small(shapes.bias);
  return {
    primary,
    ...(coefficients && { coefficients }),
    ...(column && { column }),
    ...(row && { row }),
    ...(bias && { bias }),
  };
}
