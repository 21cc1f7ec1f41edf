import { convParams, layerSpec, linearConvParams } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { loadDigits, splitIndices } from './data.js';
import { trainableParams } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs';
import { digitsModel, trainDigits } from './train.js';

describe('splitIndices', () => {
  it('is the same for a seed, different for another, and disjoint', () => {
    const a = splitIndices(10_000, 400, 200, 7);
    expect(splitIndices(10_000, 400, 200, 7)).toEqual(a);
    expect(splitIndices(10_000, 400, 200, 8).train).not.toEqual(a.train);
    expect(a.train).toHaveLength(400);
    expect(a.test).toHaveLength(200);
    const all = [...a.train, ...a.test];
    expect(new Set(all).size).toBe(600);
    expect(all.every((i) => Number.isInteger(i) && i >= 0 && i < 10_000)).toBe(true);
  });

  it('rejects a split larger than the data', () => {
    expect(() => splitIndices(100, 80, 30, 1)).toThrow(/train \+ test/);
  });
});

describe('loadDigits', () => {
  it('reads all 10,000 digits with every label and grey values in [0, 1]', () => {
    const { images, labels, count } = loadDigits();
    expect(count).toBe(10_000);
    expect(images.length).toBe(count * 784);
    expect(new Set(labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(images.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});

describe('trainDigits', () => {
  // Counted from the layer formulas: three 3×3 'same' convs 1→16→32→64, then dense 3·3·64 → 10.
  const specs = [
    [1, 16],
    [16, 32],
    [32, 64],
  ].map(([inChannels, outChannels]) => layerSpec({ inChannels, outChannels, kernelSize: 3, padding: 'same' }));
  const dense = 3 * 3 * 64 * 10 + 10;
  const convTotal = specs.reduce((n, s) => n + convParams(s), dense);
  const linearTotal = specs.reduce((n, s) => n + linearConvParams(s), dense);

  it('counts the parameters of both variants from the layer formulas', async () => {
    await tf.setBackend('cpu');
    expect(convTotal).toBe(29_066);
    expect(linearTotal).toBe(18_818);
    for (const [variant, total] of [['conv', convTotal], ['linearconv', linearTotal]] as const) {
      const model = digitsModel(variant, 3);
      expect(trainableParams(model)).toBe(total);
      model.dispose();
    }
  });

  // One test per variant (each trains on its own), so neither nears the timeout on 2 loaded cores.
  it.each([
    ['conv', convTotal],
    ['linearconv', linearTotal],
  ] as const)('trains %s on a small split, well above chance', async (variant, params) => {
    // 400 digits for one epoch is sometimes at chance; 1,000 for two epochs reaches 0.75–0.9 in ~8 s.
    const [result] = await trainDigits({ train: 1000, test: 200, epochs: 2, batchSize: 16, seed: 3, variants: [variant] });
    expect(result.variant).toBe(variant);
    expect(result.params).toBe(params);
    expect(result.testAccuracy).toBeGreaterThan(0.3);
    expect(result.testAccuracy).toBeLessThanOrEqual(1);
    expect(result.seconds).toBeGreaterThan(0);
  });
});
