import { backend_util, type MeanAttrs, type SumAttrs, util } from '@tensorflow/tfjs-core';
import { composed } from './program.js';

/**
 * Reductions over the leading axes of a float32 tensor (N, H, W of an NHWC activation: the
 * bias, batch-norm and moments reductions of a CNN step) as one XNNPACK average pool over a
 * [1, P, 1, Q] view: one pass, SIMD across Q. wasm's own Sum/Mean transpose the tensor so
 * the reduced axes are innermost first, which costs more than the sum. Other reductions go to
 * wasm's kernels unchanged.
 */
function leadingReduction(name: 'Sum' | 'Mean') {
  return composed<SumAttrs | MeanAttrs>((p, { x }, { axis, keepDims }) => {
    const shape = x!.shape;
    const axes = util.parseAxisParam(axis, shape).sort((u, v) => u - v);
    const k = axes.length;
    const leading = k > 0 && k < shape.length && axes.every((a, i) => a === i);
    const rows = util.sizeFromShape(shape.slice(0, k));
    if (!leading || x!.dtype !== 'float32' || rows < 2 || util.sizeFromShape(shape) === 0) {
      return p.run(name, { x: x! }, { axis, keepDims });
    }
    const rest = shape.slice(k);
    const view = p.reshape(x!, [1, rows, 1, util.sizeFromShape(rest)]);
    const mean = p.run('AvgPool', { x: view }, { filterSize: [rows, 1], strides: [rows, 1], pad: 'valid' });
    const out = name === 'Mean' ? mean : p.run('Multiply', { a: mean, b: p.scalar(rows) });
    return p.reshape(out, keepDims ? backend_util.expandShapeToKeepDim(rest, axes) : rest);
  });
}

export const sum = leadingReduction('Sum');
export const mean = leadingReduction('Mean');

