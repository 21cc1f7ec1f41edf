import { createRandom, initialWeights, type LinearConvWeights, linearConvForward, type Tensor, uniformArray } from '@linearconv/core';
import type { BenchLayer } from './layers.js';

export interface LayerData {
  readonly weights: LinearConvWeights<Float32Array>;
  readonly input: Tensor<Float32Array>;
}

/**
 * Seeded weights and an input of `batch` images; the first image is the same at every batch
 * (the first values drawn), so one float64 reference at batch 1 checks every batch.
 */
export function layerData(layer: BenchLayer, index: number, batch: number, seed: number): LayerData {
  const random = createRandom(seed * 1000 + index);
  const weights = initialWeights(layer.spec, random);
  const shape = [batch, layer.spec.inChannels, layer.inputSize[0], layer.inputSize[1]];
  return { weights, input: { shape, data: uniformArray(random, shape.reduce((a, b) => a * b), -1, 1) } };
}

/** The float64 reference output (core) of the first image of `data`'s input. */
export function referenceOutput(layer: BenchLayer, { weights, input }: LayerData): Float64Array {
  const [, c, h, w] = input.shape;
  const first = { shape: [1, c, h, w], data: input.data.subarray(0, c * h * w) };
  return linearConvForward(layer.spec, weights, first).data;
}
