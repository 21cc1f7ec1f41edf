/** How correlated a LinearConv layer's learned filters are: core's Pearson matrix of its primaries. */
import { correlationMatrix, LinearConvError } from '@linearconv/core';
import type { LinearConv2D } from '@linearconv/tfjs';

export interface PrimaryCorrelation {
  readonly layer: string;
  /** p, the number of primaries. */
  readonly primaries: number;
  /** p×p, row-major, in [−1, 1]. */
  readonly matrix: Float64Array;
}

/**
 * The correlation matrix of `layer`'s primaries. tfjs keeps them [kh, kw, C/g, p] (a filter a
 * column); core wants one flattened filter a row, [p, D].
 */
export async function primaryCorrelation(layer: LinearConv2D): Promise<PrimaryCorrelation> {
  const weight = layer.trainableWeights.find((w) => w.originalName.split('/').pop() === 'primary');
  if (!weight) throw new LinearConvError('layer', `${layer.name} has no primary weight`);
  const hwio = (await weight.read().data()) as Float32Array;
  const p = layer.primaryFilters;
  const d = hwio.length / p;
  const rows = new Float64Array(hwio.length);
  for (let k = 0; k < d; k++) for (let i = 0; i < p; i++) rows[i * d + k] = hwio[k * p + i];
  return { layer: layer.name, primaries: p, matrix: correlationMatrix(rows, p) };
}
