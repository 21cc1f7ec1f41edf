import { backend_util, type Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import { composed, type Pair, pair, type Shape4 } from './program.js';

/**
 * dW[u,v,ci,co] = Σ_{n,i,j} x[n, i·sh + u·dh − top, j·sw + v·dw − left, ci] · dy[n,i,j,co].
 * That is itself a convolution: batch = Ci, channels = N (the reduction), filter =
 * dy laid out as [oh, ow, N, Co], with the roles of stride and dilation swapped.
 * Its output [Ci, kh, kw, Co] is dW up to a transpose, and the wasm Conv2D
 * (XNNPACK) does the heavy GEMM.
 */
export const conv2DBackpropFilter = composed<Conv2DBackpropFilterAttrs & { dilations?: number | Pair }>((p, { x, dy }, attrs) => {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error("enableWasmTraining: Conv2DBackpropFilter supports only dataFormat 'NHWC' (the wasm Conv2D does too)");
  }
  const [sh, sw] = pair(attrs.strides);
  const [dh, dw] = pair(attrs.dilations);
  const info = backend_util.computeConv2DInfo(x!.shape as Shape4, attrs.filterShape, [sh, sw], [dh, dw], attrs.pad, attrs.dimRoundingMode);
  const [, oh, ow] = dy!.shape;
  const [kh, kw] = attrs.filterShape;
  const { top, left } = info.padInfo;
  // Pad (or crop) the far side so the composed conv yields exactly kh × kw outputs:
  // output u reads rows u·dh − top … u·dh − top + (oh − 1)·sh.
  const bottom = (kh - 1) * dh + (oh - 1) * sh + 1 - info.inHeight - top;
  const right = (kw - 1) * dw + (ow - 1) * sw + 1 - info.inWidth - left;
  const [xc, pad] = p.cropForPadding(x!, [top, bottom], [left, right]);
  const xT = p.transpose(xc, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyT = p.transpose(dy!, [1, 2, 0, 3]); // [oh, ow, N, Co]
  const out = p.run('Conv2D', { x: xT, filter: dyT }, { strides: [dh, dw], dilations: [sh, sw], pad, dataFormat: 'NHWC' });
  return p.transpose(out, [1, 2, 0, 3]); // [kh, kw, Ci, Co]
});
