/**
 * The paper's filter-correlation picture: |Pearson| between the flattened filters of one layer,
 * computed with core's `correlationMatrix` (which wants filters OIHW, one filter a row).
 */
import { correlationMatrix } from '@linearconv/core';
import { LinearConv2D } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs';

export interface FilterCorrelation {
  /** Filters compared: a LinearConv layer's primaries, or a Conv layer's first p filters. */
  filters: number;
  /** |C| row-major, filters × filters. */
  matrix: number[];
  /** Mean |C_ij| over i ≠ j. */
  meanAbs: number;
}

export interface LayerCorrelations {
  layer: string;
  /** LinearConv: the p primaries; Conv: its first p = floor(F/2) filters, for a like-for-like picture. */
  primaries: FilterCorrelation;
  /** All F filters: a LinearConv layer's composed bank, or the Conv layer's whole kernel. */
  bank: FilterCorrelation;
}

/** Correlations of `layerName`'s filters (a Conv2D or a LinearConv2D of the model). */
export function layerCorrelations(model: tf.LayersModel, layerName: string): LayerCorrelations {
  const layer = model.getLayer(layerName);
  const bank = tf.tidy(() => (layer instanceof LinearConv2D ? layer.composedKernel() : kernelOf(layer)));
  const primary = layer instanceof LinearConv2D ? kernelOf(layer, 'primary') : undefined;
  const filters = bank.shape[3];
  const p = layer instanceof LinearConv2D ? layer.primaryFilters : Math.floor(filters / 2);
  const result = {
    layer: layerName,
    primaries: correlationOf(primary ?? tf.slice(bank, [0, 0, 0, 0], [-1, -1, -1, p])),
    bank: correlationOf(bank),
  };
  tf.dispose([bank, primary]);
  return result;
}

/** |C| of a kernel [kh, kw, C, n] (HWIO, as tfjs stores it), and its mean off the diagonal. */
export function correlationOf(kernel: tf.Tensor4D): FilterCorrelation {
  const n = kernel.shape[3];
  const oihw = tf.tidy(() => tf.transpose(kernel, [3, 2, 0, 1]));
  const matrix = Array.from(correlationMatrix(oihw.dataSync() as Float32Array, n), Math.abs);
  oihw.dispose();
  return { filters: n, matrix, meanAbs: meanOffDiagonal(matrix, n) };
}

export function meanOffDiagonal(matrix: readonly number[], n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) sum += matrix[i * n + j];
  return n > 1 ? sum / (n * (n - 1)) : 0;
}

function kernelOf(layer: ReturnType<tf.LayersModel['getLayer']>, name = 'kernel'): tf.Tensor4D {
  const weight = layer.weights.find((w) => w.originalName.endsWith(`/${name}`));
  if (!weight) throw new Error(`layer ${layer.name} has no ${name} weight`);
  return weight.read().clone() as tf.Tensor4D;
}
