import { describe, LinearConvError } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';

/** The stored weights of one layer as tensors, in tfjs layouts. */
export interface TensorWeights {
  /** [kh, kw, C/g, p], laid out like a Conv2D kernel. */
  readonly primary: tf.Tensor4D;
  /** [s, p] (full). */
  readonly coefficients?: tf.Tensor2D;
  /** [s, R] and [R, p] (low rank). */
  readonly column?: tf.Tensor2D;
  readonly row?: tf.Tensor2D;
}

/**
 * core's composeFilters in tf ops, so that gradients flow: W = concat(P, A·P) along the filter
 * axis, in the HWIO layout of a Conv2D kernel ([kh, kw, C/g, F]). Low rank never forms A.
 */
export function composeKernel(weights: TensorWeights): tf.Tensor4D {
  const { primary, coefficients, column, row } = checkTensorWeights(weights);
  return tf.tidy(() => {
    const [kh, kw, cg, p] = primary.shape;
    // Each column of flat is one flattened filter.
    const flat = tf.reshape(primary, [kh * kw * cg, p]);
    const secondary = coefficients
      ? tf.matMul(flat, coefficients, false, true)
      : tf.matMul(tf.matMul(flat, row!, false, true), column!, false, true);
    return tf.reshape(tf.concat([flat, secondary], 1), [kh, kw, cg, p + (secondary.shape[1] as number)]);
  });
}

/**
 * Mᵀ = concat(I_p, Aᵀ) [p, F], the output-space form of the composition: for the p primaries'
 * responses y_p at a pixel, y_p·Mᵀ = concat(y_p, y_p·Aᵀ) are the composed bank's F responses.
 * Low rank: Aᵀ = rowᵀ·columnᵀ, s·R·p multiply-adds.
 */
export function mixingMatrix(weights: TensorWeights): tf.Tensor2D {
  const { primary, coefficients, column, row } = checkTensorWeights(weights);
  return tf.tidy(() => {
    const p = primary.shape[3];
    const secondaryT = coefficients ? tf.transpose(coefficients) : tf.matMul(row!, column!, true, true);
    return tf.concat([tf.eye(p), secondaryT], 1) as tf.Tensor2D;
  });
}

/** Shapes checked before any op runs: [kh, kw, C/g, p] with [s, p], or [s, R] and [R, p]. */
function checkTensorWeights(weights: TensorWeights): TensorWeights {
  if (weights === null || typeof weights !== 'object') {
    throw new LinearConvError('weights', `must be an object { primary, coefficients | column and row }, got ${describe(weights)}`);
  }
  const { primary, coefficients, column, row } = weights;
  const tensor = (field: string, value: unknown, rank: number) => {
    if (!(value instanceof tf.Tensor) || value.rank !== rank) {
      throw new LinearConvError(field, `must be a ${rank}-D tf.Tensor, got ${value instanceof tf.Tensor ? `shape [${value.shape}]` : describe(value)}`);
    }
    return value.shape;
  };
  const p = tensor('weights.primary', primary, 4)[3];
  if (coefficients !== undefined) {
    if (column !== undefined || row !== undefined) throw new LinearConvError('weights', 'must hold coefficients or column and row, not both');
    if (tensor('weights.coefficients', coefficients, 2)[1] !== p) {
      throw new LinearConvError('weights.coefficients', `must be [s, p] with p = ${p} (primary's last axis), got [${coefficients.shape}]`);
    }
    return weights;
  }
  const [, rank] = tensor('weights.column', column, 2);
  const rowShape = tensor('weights.row', row, 2);
  if (rowShape[0] !== rank || rowShape[1] !== p) {
    throw new LinearConvError('weights.row', `must be [R, p] = [${rank}, ${p}], got [${rowShape}]`);
  }
  return weights;
}
