import { composeFilters, fitCoefficients, layerSpec } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from './convert.js';
import { foldModel } from './fold.js';
import { type LinearConv2D, linearConv2d } from './linear-conv2d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const x = (shape: number[], seed = 5) => tf.randomNormal(shape, 0, 1, 'float32', seed);

function maxDifference(a: tf.LayersModel, b: tf.LayersModel, input: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(input) as tf.Tensor, b.predict(input) as tf.Tensor))).dataSync()[0]);
}

const values = (layer: tf.layers.Layer) => layer.getWeights().map((w) => Array.from(w.dataSync()));

/**
 * A 1×1 Conv2D kernel [1, 1, C, 4] whose filters 2 and 3 are exact combinations of filters 0 and 1,
 * so a LinearConv2D with p = 2 carries it exactly: the converted model must predict the same.
 */
function representable(layer: tf.layers.Layer, c: number): void {
  const k = new Float32Array(c * 4);
  for (let i = 0; i < c; i++) {
    const [a, b] = [Math.sin(i + 1), Math.cos(2 * i + 1)];
    k.set([a, b, 0.5 * a - 2 * b, 1.5 * b], i * 4);
  }
  layer.setWeights([tf.tensor4d(k, [1, 1, c, 4]), tf.tensor1d([0.1, -0.2, 0.3, 0])]);
}

/** Sequential: a LinearConv2D, then two Conv2D named cx and cxx (one a prefix of the other). */
function mixedModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      linearConv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2], name: 'lc' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'cx' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'cxx' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 2, name: 'dense' }),
    ],
  });
  representable(model.getLayer('cx'), 4);
  representable(model.getLayer('cxx'), 4);
  return model;
}

describe('convertModel on mixed and partly converted models', () => {
  it('keeps LinearConv2D layers as they are and converts the Conv2D ones', async () => {
    const source = mixedModel();
    const { model, layers } = await convertModel(source);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['LinearConv2D', 'LinearConv2D', 'LinearConv2D', 'Flatten', 'Dense']);
    expect(layers.map((l) => l.name)).toEqual(['cx', 'cxx']);
    expect(values(model.getLayer('lc'))).toEqual(values(source.getLayer('lc')));
    expect(values(model.getLayer('dense'))).toEqual(values(source.getLayer('dense')));
    for (const l of layers) expect(l.relativeError).toBeLessThan(1e-6);
    expect(maxDifference(source, model, x([2, 6, 6, 2]))).toBeLessThan(1e-5);
    // Converting the converted model changes nothing: there is no Conv2D left.
    const again = await convertModel(model);
    expect(again.layers).toEqual([]);
    expect(maxDifference(model, again.model, x([1, 6, 6, 2]))).toBe(0);
  });

  it('matches layer names exactly: layers: [\'cxx\'] converts cxx only, not cx', async () => {
    const source = mixedModel();
    const { model, layers } = await convertModel(source, { layers: ['cxx'] });
    expect(layers.map((l) => l.name)).toEqual(['cxx']);
    expect(model.getLayer('cx').getClassName()).toBe('Conv2D');
    expect(model.getLayer('cxx').getClassName()).toBe('LinearConv2D');
    expect(maxDifference(source, model, x([2, 6, 6, 2]))).toBeLessThan(1e-5);
  });

  it("initialize: 'random' draws fresh weights and reports no fit", async () => {
    const source = mixedModel();
    const { model, layers } = await convertModel(source, { initialize: 'random', layers: (name) => name === 'cx' });
    expect(layers).toEqual([{ name: 'cx', paramsBefore: 20, paramsAfter: 2 * 4 + 2 * 2 + 4, relativeError: null }]);
    expect(maxDifference(source, model, x([1, 6, 6, 2]))).toBeGreaterThan(1e-3);
  });

  it('the fitted weights are core’s fit, laid out as tfjs holds them', async () => {
    const source = tf.sequential({ layers: [tf.layers.conv2d({ filters: 5, kernelSize: [3, 2], inputShape: [7, 7, 3], name: 'c' })] });
    const { model, layers } = await convertModel(source, { primaryFilters: () => 2 });
    const [kernel, bias] = source.getLayer('c').getWeights();
    const oihw = tf.tidy(() => tf.transpose(kernel, [3, 2, 0, 1]).dataSync() as Float32Array);
    const spec = layerSpec({ inChannels: 3, outChannels: 5, kernelSize: [3, 2], primaryFilters: 2 });
    const fit = fitCoefficients(spec, oihw, bias.dataSync() as Float32Array);
    const expected = composeFilters(spec, fit.weights);
    const composed = tf.tidy(() => tf.transpose((model.getLayer('c') as LinearConv2D).composedKernel(), [3, 2, 0, 1]).dataSync());
    for (let i = 0; i < expected.length; i++) expect(composed[i]).toBeCloseTo(expected[i], 6);
    expect(layers[0].relativeError).toBeCloseTo(fit.relativeError, 6);
  });

  it('a LinearConv2D with the default coefficients initialiser serialises without undefined members', () => {
    const layer = linearConv2d({ filters: 4, kernelSize: 3 });
    const config = layer.getConfig();
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it('coefficientsInitializer takes what kernelInitializer takes: a name, or a serialised initialiser', async () => {
    const model = tf.sequential({
      layers: [linearConv2d({ filters: 4, kernelSize: 1, inputShape: [3, 3, 2], coefficientsInitializer: 'zeros', name: 'z' })],
    });
    const layer = model.getLayer('z') as LinearConv2D;
    expect(Array.from(layer.getWeights()[1].dataSync())).toEqual([0, 0, 0, 0]);
    const copy = tf.models.modelFromJSON({ modelTopology: { class_name: 'Sequential', config: model.getConfig() } } as never);
    const loaded = (await copy).getLayer('z');
    expect(loaded.getConfig().coefficientsInitializer).toEqual({ className: 'Zeros', config: {} });
  });
});

describe('convertModel and foldModel on nested models', () => {
  /** Functional outer model: inner Sequential (Conv2D + Activation), then an outer Conv2D. */
  function nested(): tf.LayersModel {
    const inner = tf.sequential({
      name: 'inner',
      layers: [tf.layers.conv2d({ filters: 4, kernelSize: 1, inputShape: [5, 5, 3], name: 'inner_conv' }), tf.layers.activation({ activation: 'relu', name: 'inner_relu' })],
    });
    representable(inner.getLayer('inner_conv'), 3);
    const input = tf.input({ shape: [5, 5, 3] });
    const y = inner.apply(input) as tf.SymbolicTensor;
    const out = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'outer_conv' }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    representable(model.getLayer('outer_conv'), 4);
    return model;
  }

  it('converts a Conv2D inside a nested model, keeping its weights exact', async () => {
    const source = nested();
    const { model, layers } = await convertModel(source);
    expect(layers.map((l) => l.name)).toEqual(['inner_conv', 'outer_conv']);
    const inner = model.getLayer('inner') as tf.Sequential;
    expect(inner.layers.map((l) => l.getClassName())).toEqual(['LinearConv2D', 'Activation']);
    expect(maxDifference(source, model, x([2, 5, 5, 3]))).toBeLessThan(1e-5);
    expect((source.getLayer('inner') as tf.Sequential).getLayer('inner_conv').getClassName()).toBe('Conv2D');
  });

  it('converts a nested layer by name, and folds nested LinearConv2D layers back', async () => {
    const source = nested();
    const { model, layers } = await convertModel(source, { layers: ['inner_conv'] });
    expect(layers.map((l) => l.name)).toEqual(['inner_conv']);
    expect(model.getLayer('outer_conv').getClassName()).toBe('Conv2D');
    const folded = await foldModel(model);
    expect((folded.getLayer('inner') as tf.Sequential).layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'Activation']);
    expect(maxDifference(model, folded, x([2, 5, 5, 3]))).toBeLessThan(1e-5);
  });
});
