import { modelAccount, zooModel as zooGraph, zooModels, zooPaperParams } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainableParams, zooModel } from './zoo.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const variants = [['conv', 'conv'], ['full', 'full'], ['lowRank', 'lowRank']] as const;

describe('zooModel', () => {
  it.each(zooModels)('%s: trainable parameters equal core and the paper, for every variant', (name) => {
    for (const [variant] of variants) {
      const model = zooModel(name, { variant });
      const expected = modelAccount(zooGraph(name, { variant }).nodes).total.params;
      expect(trainableParams(model)).toBe(expected);
      expect(Math.round(expected / 1e4) / 100).toBe(zooPaperParams[name][variant]);
      model.dispose();
    }
  });

  it('runs: Base on 28×28 digits, ResNet-18 on CIFAR shapes', () => {
    const base = zooModel('base', { variant: 'lowRank', inputShape: [28, 28, 1], classes: 10 });
    const y = base.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor;
    expect(y.shape).toEqual([2, 10]);
    const resnet = zooModel('resnet18', { variant: 'full' });
    const z = resnet.predict(tf.randomNormal([1, 32, 32, 3])) as tf.Tensor;
    expect(z.shape).toEqual([1, 10]);
    expect(Array.from(z.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([y, z]);
    base.dispose();
    resnet.dispose();
  });
});
