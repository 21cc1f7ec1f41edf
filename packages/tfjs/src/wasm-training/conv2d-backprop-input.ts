import type { Conv2DBackpropInputAttrs } from '@tensorflow/tfjs-core';
import { composed, type Pair, pair, type Shape4 } from './program.js';
import { transposedConvInput } from './transposed-conv.js';

/**
 * dx is the transposed convolution: a stride-1 wasm Conv2D (XNNPACK) of the zero-upsampled,
 * padded dy with the spatially flipped filter whose in/out channels are swapped
 * ([kh, kw, Co, Ci]), at the forward dilation. Replaces wasm's scalar C++ loop, which runs at
 * a tenth of the forward conv's speed.
 */
export const conv2DBackpropInput = composed<Conv2DBackpropInputAttrs & { dilations?: number | Pair }>((p, { dy, filter }, attrs) => {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error("enableWasmTraining: Conv2DBackpropInput supports only dataFormat 'NHWC' (the wasm Conv2D does too)");
  }
  const dilations = pair(attrs.dilations);
  const [upc, pad] = transposedConvInput(p, dy!, attrs.inputShape, filter!.shape as Shape4, pair(attrs.strides), dilations, attrs.pad, attrs.dimRoundingMode, false);
  const flipped = p.flipSpatial(filter!);
  const swapped = p.transpose(flipped, [0, 1, 3, 2]);
  return p.run('Conv2D', { x: upc, filter: swapped }, { strides: [1, 1], dilations, pad, dataFormat: 'NHWC' });
});
