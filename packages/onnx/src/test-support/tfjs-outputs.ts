import { compareArrays, TOLERANCES } from '@linearconv/conformance';
import { createRandom, uniformArray, weightShapes } from '@linearconv/core';
import type { LinearConv2D } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import type { FloatTensor } from '../onnx-runtime.js';

/** A seeded input in U(−1, 1) for the model's (single) input, with batch `batch`. */
export function seededInput(model: LayersModel, batch: number, seed: number): FloatTensor {
  const shape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  return { shape, data: uniformArray(createRandom(seed), shape.reduce((a, b) => a * b, 1), -1, 1) };
}

/** tfjs's outputs for `input`, in model.outputs order. */
export function tfjsOutputs(model: LayersModel, input: FloatTensor): FloatTensor[] {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor(input.data, [...input.shape]));
    return (Array.isArray(y) ? y : [y]).map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
  });
}

/**
 * Asserts that ONNX outputs equal tfjs's within the float32 tolerance (1e-4 absolute + 1e-4
 * relative), and that the outputs are large enough for that tolerance to mean something.
 */
export function expectSameOutputs(actual: readonly FloatTensor[], expected: readonly FloatTensor[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  expected.forEach((e, i) => {
    expect(actual[i].shape, `${what}: output ${i} shape`).toEqual(e.shape);
    const largest = e.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest, `${what}: output ${i} is not close to zero`).toBeGreaterThan(1e-2);
    const c = compareArrays(actual[i].data, e.data, TOLERANCES.float32);
    expect(c.pass, `${what}: output ${i} ${c.reason}`).toBe(true);
  });
}

/** The parameters a folded export stores: each LinearConv2D's P and coefficients become its W. */
export function foldedParams(model: LayersModel): number {
  let params = model.countParams();
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'LinearConv2D') continue;
    const shapes = weightShapes((layer as unknown as LinearConv2D).spec!);
    const size = (s?: readonly number[]) => (s ? s.reduce((a, b) => a * b, 1) : 0);
    params += size(shapes.filters) - size(shapes.primary) - size(shapes.coefficients) - size(shapes.column) - size(shapes.row);
  }
  return params;
}
