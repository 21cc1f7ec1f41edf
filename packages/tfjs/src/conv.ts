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
}

/**
 * conv2d on NHWC with a HWIO kernel [kh, kw, C/g, F] and groups, which tf.conv2d lacks: one
 * fused conv for g = 1, a depthwise conv when every group has one input channel, and one conv
 * per group otherwise (output channel o reads group floor(o·g/F), as in core's reference).
 */
export function groupedConv(x: tf.Tensor4D, kernel: tf.Tensor4D, options: GroupedConvOptions): tf.Tensor4D {
  const { strides, padding, groups, bias, activation = 'linear', differentiable } = options;
  let { dilations } = options;
  // tfjs can neither differentiate a dilated conv nor stride one: run it on the zero-stuffed
  // kernel instead, which is the same convolution.
  if (dilations.some((d) => d > 1) && (differentiable || strides.some((s) => s > 1))) {
    kernel = dilateKernel(kernel, dilations);
    dilations = [1, 1];
  }
  if (groups === 1) {
    return tf.fused.conv2d({ x, filter: kernel, strides, pad: padding, dilations, bias, activation });
  }
  return tf.tidy(() => {
    const [kh, kw, cg, f] = kernel.shape;
    let y: tf.Tensor4D;
    if (cg === 1) {
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
