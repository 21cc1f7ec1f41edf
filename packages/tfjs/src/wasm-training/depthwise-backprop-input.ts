import type { DepthwiseConv2dNativeBackpropInputAttrs } from '@tensorflow/tfjs-core';
import { composed, pair, type Shape4 } from './program.js';
import { transposedConvInput } from './transposed-conv.js';

/**
 * dx is the transposed depthwise conv: a stride-1 depthwise conv of the zero-upsampled, padded
 * dy with the spatially flipped filter (dilation unchanged) over the C·m channels with
 * multiplier 1; then the sum of the m products of each input channel.
 */
export const depthwiseBackpropInput = composed<DepthwiseConv2dNativeBackpropInputAttrs>((p, { dy, filter }, attrs) => {
  const [n, h, w, c] = attrs.inputShape;
  const [kh, kw, , m] = filter!.shape;
  const dilations = pair(attrs.dilations);
  const [upc, pad] = transposedConvInput(p, dy!, attrs.inputShape, filter!.shape as Shape4, pair(attrs.strides), dilations, attrs.pad, attrs.dimRoundingMode, true);
  const flipped = p.flipSpatial(filter!);
  const f = p.reshape(flipped, [kh, kw, c * m, 1]);
  const out = p.run('DepthwiseConv2dNative', { x: upc, filter: f }, { strides: [1, 1], dilations, pad }); // [N, H, W, C·m]
  if (m === 1) return out;
  const split = p.reshape(out, [n, h, w, c, m]);
  return p.run('Sum', { x: split }, { axis: [4], keepDims: false });
});
