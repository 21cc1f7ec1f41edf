import { backend_util, type Conv2DBackpropFilterAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { composed, type ExplicitPad, type Pair, type Program, pair, type Shape4 } from './program.js';

/**
 * dW[u,v,ci,co] = Σ_{n,i,j} x[n, i·sh + u·dh − top, j·sw + v·dw − left, ci] · dy[n,i,j,co].
 * That is itself a convolution: batch = Ci, channels = N (the reduction), filter =
 * dy laid out as [oh, ow, N, Co], with the roles of stride and dilation swapped.
 * Its output [Ci, kh, kw, Co] is dW up to a transpose, and the wasm Conv2D
 * (XNNPACK) does the heavy GEMM. A first layer's (few input channels) is a matmul instead.
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
  const ci = x!.shape[3];
  if (sh === 1 && sw === 1 && kh * kw * ci <= IM2COL_MAX_ROWS) return im2colProduct(p, xc, pad, dy!, attrs.filterShape, [dh, dw]);
  const xT = p.transpose(xc, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyT = p.transpose(dy!, [1, 2, 0, 3]); // [oh, ow, N, Co]
  const out = p.run('Conv2D', { x: xT, filter: dyT }, { strides: [dh, dw], dilations: [sh, sw], pad, dataFormat: 'NHWC' });
  return p.transpose(out, [1, 2, 0, 3]); // [kh, kw, Ci, Co]
});

/**
 * Below this many rows of dW (kh·kw·Ci: a first layer, on 1 or 3 input channels) the product is
 * tiny and the conv above spends its time packing dy as a filter (tfjs transposes it with a
 * scalar loop first): 11 ms of 12 for Base's conv1. There a plain matmul of the im2col rows
 * with dy (XNNPACK packs dy itself, fast) takes a third of that.
 */
const IM2COL_MAX_ROWS = 32;

/** dW [kh, kw, Ci, Co] = im2col(x)ᵀ · dy for stride 1: row (u, v, ci) is x shifted by (u·dh, v·dw). */
function im2colProduct(p: Program, x: TensorInfo, pad: ExplicitPad, dy: TensorInfo, filterShape: Shape4, [dh, dw]: Pair): TensorInfo {
  const [n, oh, ow, co] = dy.shape;
  const [kh, kw, ci] = filterShape;
  const padded = pad.flat().some((v) => v > 0) ? p.run('PadV2', { x }, { paddings: pad, constantValue: 0 }) : x;
  const channelsFirst = ci === 1 ? p.reshape(padded, [1, ...padded.shape.slice(0, 3)]) : p.transpose(padded, [3, 0, 1, 2]); // [Ci, N, H, W]
  const rows: TensorInfo[] = [];
  for (let u = 0; u < kh; u++) {
    for (let v = 0; v < kw; v++) rows.push(p.run('Slice', { x: channelsFirst }, { begin: [0, 0, u * dh, v * dw], size: [ci, n, oh, ow] }));
  }
  const columns = p.reshape(p.concat(rows, 0), [1, kh * kw * ci, n * oh * ow]);
  const product = p.run('BatchMatMul', { a: columns, b: p.reshape(dy, [1, n * oh * ow, co]) }, { transposeA: false, transposeB: false });
  return p.reshape(product, [kh, kw, ci, co]);
}
