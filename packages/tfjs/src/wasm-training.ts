/**
 * Training convolutions on the wasm backend.
 *
 * tfjs-backend-wasm 4.x registers the forward convolutions but not three of
 * their gradients (tfjs issue #8474), so `model.fit` on wasm fails for any
 * model with Conv2D / DepthwiseConv2D / SeparableConv2D / LinearConv2D layers.
 * `enableWasmTraining()` registers those three kernels, each composed only of
 * kernels the wasm backend already has (XNNPACK convolutions, transpose, pad,
 * reshape, sum), so the data never leaves the wasm heap.
 */
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  getKernel,
  type KernelBackend,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  registerKernel,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

type Shape4 = [number, number, number, number];
type Pair = [number, number];
type ExplicitPad = [[0, 0], Pair, Pair, [0, 0]];

const BACKEND = 'wasm';

/**
 * Runs wasm kernels on TensorInfos and frees every intermediate once the
 * composed kernel is done (or throws), keeping only the returned result.
 * Each TensorInfo a wasm kernel returns owns one reference to its data
 * (Reshape shares the data id but increments its count), so disposing each
 * intermediate once is exactly balanced.
 */
class Program {
  private readonly temps: TensorInfo[] = [];
  constructor(private readonly backend: KernelBackend) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(name, BACKEND) as ReturnType<typeof getKernel> | undefined;
    if (kernel == null) {
      throw new Error(`enableWasmTraining: the wasm backend has no '${name}' kernel`);
    }
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /**
   * Convolution padding cannot be negative, but the composed convolutions
   * below sometimes need to ignore trailing (or leading) input rows/columns.
   * Slice those away and return the non-negative padding that remains.
   */
  cropForPadding(x: TensorInfo, [top, bottom]: Pair, [left, right]: Pair): [TensorInfo, ExplicitPad] {
    const pad: ExplicitPad = [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]];
    if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return [x, pad];
    const [n, h, w, c] = x.shape;
    const begin = [0, Math.max(-top, 0), Math.max(-left, 0), 0];
    const size = [n, h + Math.min(top, 0) + Math.min(bottom, 0), w + Math.min(left, 0) + Math.min(right, 0), c];
    return [this.run('Slice', { x }, { begin, size }), pad];
  }

  dispose(result: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    return result;
  }
}

/** Builds a KernelFunc whose intermediates are freed even if it throws. */
function composed<A>(body: (p: Program, inputs: NamedTensorInfoMap, attrs: A) => TensorInfo): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const p = new Program(backend as KernelBackend);
    let result: TensorInfo | undefined;
    try {
      result = body(p, inputs, attrs as unknown as A);
      return result;
    } finally {
      // On an exception `result` is undefined and everything is freed.
      p.dispose(result as TensorInfo);
    }
  };
}

function pair(v: number | [number, number] | undefined): Pair {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

/**
 * dW[u,v,ci,co] = Σ_{n,i,j} x[n, i·sh + u·dh − top, j·sw + v·dw − left, ci] · dy[n,i,j,co].
 * That is itself a convolution: batch = Ci, channels = N (the reduction), filter =
 * dy laid out as [oh, ow, N, Co], with the roles of stride and dilation swapped.
 * Its output [Ci, kh, kw, Co] is dW up to a transpose, and the wasm Conv2D
 * (XNNPACK) does the heavy GEMM.
 */
const conv2DBackpropFilter = composed<Conv2DBackpropFilterAttrs & { dilations?: number | Pair }>((p, { x, dy }, attrs) => {
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

/**
 * Same correlation per channel. Folding the batch into the channel axis
 * (x → [1, H, W, N·C], dy → filter [oh, ow, N·C, m]) makes it one depthwise
 * conv whose output channel (n·C + c)·m + k holds image n's contribution to
 * dW[·,·,c,k]; summing over n finishes it. No cross-channel work is wasted.
 */
const depthwiseBackpropFilter = composed<DepthwiseConv2dNativeBackpropFilterAttrs>((p, { x, dy }, attrs) => {
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

/**
 * dx is the transposed depthwise conv: insert (stride − 1) zeros between the
 * rows/columns of dy, pad by (effective kernel − 1 − top), and run a stride-1
 * depthwise conv with the spatially flipped filter (dilation unchanged) over
 * the C·m channels with multiplier 1; then sum the m products of each input
 * channel.
 */
const depthwiseBackpropInput = composed<DepthwiseConv2dNativeBackpropInputAttrs>((p, { dy, filter }, attrs) => {
  const [sh, sw] = pair(attrs.strides);
  const [dh, dw] = pair(attrs.dilations);
  const info = backend_util.computeConv2DInfo(attrs.inputShape, filter!.shape as Shape4, [sh, sw], [dh, dw], attrs.pad, attrs.dimRoundingMode, true);
  const [n, h, w, c] = attrs.inputShape;
  const [, oh, ow, cm] = dy!.shape;
  const [kh, kw, , m] = filter!.shape;
  let up = dy!;
  if (sh > 1 || sw > 1) {
    // [N, oh, 1, ow, 1, C·m] padded to [N, oh, sh, ow, sw, C·m] puts each dy value at stride multiples.
    const split = p.reshape(dy!, [n, oh, 1, ow, 1, cm]);
    const zeros = p.run('PadV2', { x: split }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    up = p.reshape(zeros, [n, oh * sh, ow * sw, cm]);
  }
  // Output row y must read dilated rows y − padTop … y − padTop + effKh − 1; the
  // far side is whatever makes the output exactly H (W) long (negative = crop).
  const padTop = info.effectiveFilterHeight - 1 - info.padInfo.top;
  const padLeft = info.effectiveFilterWidth - 1 - info.padInfo.left;
  const padBottom = h + info.effectiveFilterHeight - 1 - padTop - oh * sh;
  const padRight = w + info.effectiveFilterWidth - 1 - padLeft - ow * sw;
  const [upc, pad] = p.cropForPadding(up, [padTop, padBottom], [padLeft, padRight]);
  const flipped = p.run('Reverse', { x: filter! }, { dims: [0, 1] });
  const f = p.reshape(flipped, [kh, kw, cm, 1]);
  const out = p.run('DepthwiseConv2dNative', { x: upc, filter: f }, { strides: [1, 1], dilations: [dh, dw], pad }); // [N, H, W, C·m]
  if (m === 1) return out;
  const split = p.reshape(out, [n, h, w, c, m]);
  return p.run('Sum', { x: split }, { axis: [4], keepDims: false });
});

const KERNELS: Array<[string, KernelFunc]> = [
  [Conv2DBackpropFilter, conv2DBackpropFilter],
  [DepthwiseConv2dNativeBackpropFilter, depthwiseBackpropFilter],
  [DepthwiseConv2dNativeBackpropInput, depthwiseBackpropInput],
];

/**
 * Registers the convolution gradient kernels missing from the wasm backend so
 * that `model.fit` works there. Registration is by backend name, so this may
 * be called before or after `tf.setBackend('wasm')`; kernels that already
 * exist (a second call, or a future wasm release that ships them) are left alone.
 */
export function enableWasmTraining(): void {
  for (const [kernelName, kernelFunc] of KERNELS) {
    if (getKernel(kernelName, BACKEND) == null) registerKernel({ kernelName, backendName: BACKEND, kernelFunc });
  }
}
