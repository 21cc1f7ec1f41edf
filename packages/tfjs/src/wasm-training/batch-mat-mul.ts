import type { BatchMatMulAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { composed, type Program } from './program.js';

/** The last two axes swapped. */
function swapLast(p: Program, t: TensorInfo): TensorInfo {
  const perm = t.shape.map((_, i) => i);
  perm.push(...perm.splice(-2).reverse());
  return p.transpose(t, perm);
}

/**
 * wasm's BatchMatMul with a transposed operand runs off XNNPACK's path (about a tenth of the
 * plain speed). An explicit Transpose, a pass over the operand, then the plain product is
 * faster; every matmul gradient has a transposed operand, as does LinearConv's composition.
 */
export const batchMatMul = composed<BatchMatMulAttrs>((p, { a, b }, { transposeA, transposeB }) => {
  const aa = transposeA ? swapLast(p, a!) : a!;
  const bb = transposeB ? swapLast(p, b!) : b!;
  return p.run('BatchMatMul', { a: aa, b: bb }, { transposeA: false, transposeB: false });
});
