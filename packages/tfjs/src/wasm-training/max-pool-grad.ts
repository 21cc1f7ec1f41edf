import { backend_util, type MaxPoolGradAttrs, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { composed, type Program, type Shape4 } from './program.js';

/**
 * Max-pool's gradient for non-overlapping windows (filter = stride, no padding: the 2×2/2
 * pools of VGG-style CNNs), as eight SIMD passes and one XNNPACK max pool instead of wasm's
 * scalar loop (2–4× slower). dy goes to the first maximum of each window in row-major order,
 * as tfjs-cpu, TensorFlow and PyTorch do; wasm's own kernel gives ties (the all-zero windows
 * after a ReLU) to another position. On a [M, kh, ow, kw, C] view of x, with K = kh·kw:
 *   ne = step(y − x)            1 where x is below its window's max, else 0
 *   r  = −K·ne − k              k the position in the window: the first max scores highest
 *   s  = maxpool(r)             so r − s = 0 there and ≤ −1 everywhere else, exactly
 *   dx = relu(r − s + 1) · dy
 * Overlapping or padded windows go to wasm's kernel, and so does a pool with an infinite max
 * (y − x would be ∞ − ∞ there: a masked max pool over −∞ is a real use).
 */
export const maxPoolGrad = composed<MaxPoolGradAttrs>((p, { dy, input, output }, attrs) => {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(input!.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: n, inHeight, inWidth, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const { top, bottom, left, right } = info.padInfo;
  const disjoint = kh === info.strideHeight && kw === info.strideWidth && top + bottom + left + right === 0 && oh * kh <= inHeight && ow * kw <= inWidth;
  if (!disjoint || input!.dtype !== 'float32' || oh * ow === 0 || !finite(p, output!)) {
    return p.run('MaxPoolGrad', { dy: dy!, input: input!, output: output! }, attrs as unknown as NamedAttrMap);
  }
  // Rows and columns past the last whole window get no gradient: crop them now, pad them back after.
  const cropped = oh * kh < inHeight || ow * kw < inWidth;
  const x = cropped ? p.run('Slice', { x: input! }, { begin: [0, 0, 0, 0], size: [n, oh * kh, ow * kw, c] }) : input!;
  const view = [n * oh, kh, ow, kw, c];
  const windows = (t: TensorInfo) => p.reshape(t, [n * oh, 1, ow, 1, c]);
  const x5 = p.reshape(x, view);
  const ne = p.run('Step', { x: p.run('Sub', { a: windows(output!), b: x5 }) }, { alpha: 0 });
  const positions = p.reshape(p.run('Range', {}, { start: 0, stop: -kh * kw, step: -1, dtype: 'float32' }), [1, kh, 1, kw, 1]);
  const r = p.run('Add', { a: p.run('Multiply', { a: ne, b: p.scalar(-kh * kw) }), b: positions });
  const s = p.run('MaxPool', { x: p.reshape(r, [n, oh * kh, ow * kw, c]) }, { filterSize: [kh, kw], strides: [kh, kw], pad: 'valid' });
  const below = windows(p.run('Sub', { a: s, b: p.scalar(1) }));
  const mask = p.run('Relu', { x: p.run('Sub', { a: r, b: below }) });
  const dx = p.reshape(p.run('Multiply', { a: mask, b: windows(dy!) }), [n, oh * kh, ow * kw, c]);
  if (!cropped) return dx;
  return p.run('PadV2', { x: dx }, { paddings: [[0, 0], [0, inHeight - oh * kh], [0, inWidth - ow * kw], [0, 0]], constantValue: 0 });
});

/** No max is ±∞ or NaN. */
function finite(p: Program, y: TensorInfo): boolean {
  // One pass over y, a Kth of x: Σ y is finite exactly when no max is ±∞ (or a huge sum overflows: then only speed is lost).
  const total = p.run('Sum', { x: y }, { axis: y.shape.map((_, i) => i), keepDims: false });
  return Number.isFinite((p.backend.readSync(total.dataId) as Float32Array)[0]);
}
