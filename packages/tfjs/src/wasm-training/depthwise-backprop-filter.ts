import { backend_util, type DepthwiseConv2dNativeBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import { composed, pair, type Shape4 } from './program.js';

/**
 * Same correlation as Conv2DBackpropFilter, per channel. Folding the batch into the channel axis
 * (x → [1, H, W, N·C], dy → filter [oh, ow, N·C, m]) makes it one depthwise
 * conv whose output channel (n·C + c)·m + k holds image n's contribution to
 * dW[·,·,c,k]; summing over n finishes it. No cross-channel work is wasted.
 */
export const depthwiseBackpropFilter = composed<DepthwiseConv2dNativeBackpropFilterAttrs>((p, { x, dy }, attrs) => {
  const [sh, sw] = pair(attrs.strides);
  const [dh, dw] = pair(attrs.dilations);
  const info = backend_util.computeConv2DInfo(x!.shape as Shape4, attrs.filterShape, [sh, sw], [dh, dw], attrs.pad, attrs.dimRoundingMode, true);
  const [n, , , c] = x!.shape;
  const [, oh, ow] = dy!.shape;
  const [kh, kw, , m] = attrs.filterShape;
  const { top, left } = info.padInfo;
  const bottom = (kh - 1) * dh + (oh - 1) * sh + 1 - info.inHeight - top;
  const right = (kw - 1) * dw + (ow - 1) * sw + 1 - info.inWidth - left;
  const [xc, pad] = p.cropForPadding(x!, [top, bottom], [left, right]);
  const xT = p.transpose(xc, [1, 2, 0, 3]); // [H', W', N, C]
  const xF = p.reshape(xT, [1, xT.shape[0], xT.shape[1], n * c]);
  const dyT = p.transpose(dy!, [1, 2, 0, 3]); // [oh, ow, N, C·m]
  const f = p.reshape(dyT, [oh, ow, n * c, m]);
  const out = p.run('DepthwiseConv2dNative', { x: xF, filter: f }, { strides: [dh, dw], dilations: [sh, sw], pad }); // [1, kh, kw, N·C·m]
  const perImage = p.reshape(out, [kh * kw, n, c * m]);
  const summed = p.run('Sum', { x: perImage }, { axis: [1], keepDims: false });
  return p.reshape(summed, [kh, kw, c, m]);
});
