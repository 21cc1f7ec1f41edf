import * as tf from '@tensorflow/tfjs-core';

/** Explicit padding as tf.conv2d takes it, for NHWC. */
export type TfPadding = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

export interface GroupedConvOptions {
  readonly strides: [number, number];
  readonly padding: TfPadding;
  readonly dilations: [number, number];
  readonly groups: number;
  readonly bias?: tf.Tensor1D;
  /** A fused activation tf.fused.conv2d knows ('relu', 'relu6', 'elu', 'sigmoid'); applied after otherwise. */
  readonly activation?: tf.fused.Activation;
  /** Gradients will be taken (training). */
  readonly differentiable?: boolean;
  /**
   * Nothing will want x's gradient (x is the model's input): use tf.conv2d, whose gradient
   * computes dx only if x is differentiated, not the fused op, whose gradient always computes
   * it. Correct either way; only the bias and activation take their own passes over memory.
   */
  readonly inputNeedsNoGradient?: boolean;
}

/**
 * conv2d on NHWC with a HWIO kernel [kh, kw, C/g, F] and groups, which tf.conv2d lacks: one
 * fused conv for g = 1 (plain, with the bias and activation after, when x needs no gradient), a depthwise conv when every group has one input channel, and one conv
 * per group otherwise (output channel o reads group floor(o·g/F), as in core's reference).
 */
export function groupedConv(x: tf.Tensor4D, kernel: tf.Tensor4D, options: GroupedConvOptions): tf.Tensor4D {
  const { strides, padding, groups, bias, activation = 'linear', differentiable, inputNeedsNoGradient } = options;
  let dilations: [number, number];
  [kernel, dilations] = tfDilation(kernel, options);
  if (groups === 1 && !(differentiable && inputNeedsNoGradient)) {
    return tf.fused.conv2d({ x, filter: kernel, strides, pad: padding, dilations, bias, activation });
  }
  return tf.tidy(() => {
    const [kh, kw, cg, f] = kernel.shape;
    let y: tf.Tensor4D;
    if (groups === 1) {
      y = tf.conv2d(x, kernel, strides, padding, 'NHWC', dilations);
    } else if (cg === 1) {
      // Depthwise with multiplier m = F/C: output channel c·m + k reads input channel c.
      const depthwise = tf.reshape(kernel, [kh, kw, groups, f / groups]) as tf.Tensor4D;
      y = tf.depthwiseConv2d(x, depthwise, strides, padding, 'NHWC', dilations);
    } else {
      const inputs = tf.split(x, groups, 3);
      const kernels = tf.split(kernel, groups, 3);
      y = tf.concat(inputs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, kernels[i] as tf.Tensor4D, strides, padding, 'NHWC', dilations)), 3);
    }
    if (bias) y = tf.add(y, bias);
    return activation === 'linear' ? y : applyActivation(y, activation);
  });
}

/**
 * The output-space form of a LinearConv2D with groups = 1: the conv with the p primaries only,
 * then each output pixel's p responses mixed into F, y = y_p·Mᵀ + b with `mixing` = Mᵀ [p, F].
 * By linearity this equals the conv with the composed kernel concat(P, A·P), at
 * N·H'·W'·p·(D + F) multiply-adds instead of N·H'·W'·F·D plus composing the kernel. The conv
 * is unfused, so its gradient computes dx only when x is differentiated.
 */
export function mixedConv(x: tf.Tensor4D, primary: tf.Tensor4D, mixing: tf.Tensor2D, options: GroupedConvOptions): tf.Tensor4D {
  const { strides, padding, groups, bias, activation = 'linear' } = options;
  if (groups !== 1) throw new Error('mixedConv: output-space mixing is only the same layer for groups = 1');
  return tf.tidy(() => {
    const [kernel, dilations] = tfDilation(primary, options);
    const primaries = tf.conv2d(x, kernel, strides, padding, 'NHWC', dilations);
    const [n, h, w, p] = primaries.shape;
    // A plain [p, F] operand: wasm's matmul with a transposed one is off XNNPACK's fast path.
    const y = tf.fused.matMul({ a: tf.reshape(primaries, [n * h * w, p]), b: mixing, bias, activation });
    return tf.reshape(y, [n, h, w, mixing.shape[1]]);
  });
}

/**
 * tfjs can neither differentiate a dilated conv nor stride one: those run on the zero-stuffed
 * kernel instead, which is the same convolution.
 */
function tfDilation(kernel: tf.Tensor4D, options: GroupedConvOptions): [tf.Tensor4D, [number, number]] {
  const { dilations, strides, differentiable } = options;
  if (dilations.some((d) => d > 1) && (differentiable || strides.some((s) => s > 1))) return [dilateKernel(kernel, dilations), [1, 1]];
  return [kernel, dilations];
}

/**
 * [kh, kw, I, O] → [(kh − 1)·dh + 1, (kw − 1)·dw + 1, I, O] with zeros between the taps.
 * Only 3-D and 4-D pads: tfjs-webgpu 4.22 pads 5-D tensors wrongly.
 */
export function dilateKernel(kernel: tf.Tensor4D, [dh, dw]: readonly [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, i, o] = kernel.shape;
    let k: tf.Tensor = kernel;
    if (dh > 1) {
      k = tf.pad(tf.reshape(k, [kh, 1, kw * i * o]), [[0, 0], [0, dh - 1], [0, 0]]);
      k = tf.slice(tf.reshape(k, [kh * dh, kw, i, o]), 0, (kh - 1) * dh + 1);
    }
    const h = k.shape[0] as number;
    if (dw > 1) {
      k = tf.pad(tf.reshape(k, [h, kw, 1, i * o]), [[0, 0], [0, 0], [0, dw - 1], [0, 0]]);
      k = tf.slice(tf.reshape(k, [h, kw * dw, i, o]), [0, 0, 0, 0], [h, (kw - 1) * dw + 1, i, o]);
    }
    return k as tf.Tensor4D;
  });
}

function applyActivation(y: tf.Tensor4D, activation: tf.fused.Activation): tf.Tensor4D {
  switch (activation) {
    case 'relu':
      return tf.relu(y);
    case 'relu6':
      return tf.relu6(y);
    case 'elu':
      return tf.elu(y);
    case 'sigmoid':
      return tf.sigmoid(y);
    default:
      throw new Error(`activation ${activation} cannot be fused`);
  }
}
