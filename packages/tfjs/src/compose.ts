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
export function composeKernel({ primary, coefficients, column, row }: TensorWeights): tf.Tensor4D {
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
