import { LinearConvError } from '@linearconv/core';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupedConv2d } from './conv-layer.js';
import { convertModel } from './convert.js';
import { foldModel } from './fold.js';
import { type LinearConv2D, linearConv2d } from './linear-conv2d.js';
import { correlation } from './regularizers.js';
import { zooModel } from './zoo.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const x = (shape: number[], seed = 3) => tf.randomNormal(shape, 0, 1, 'float32', seed);

function maxDifference(a: tf.LayersModel, b: tf.LayersModel, input: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(input) as tf.Tensor, b.predict(input) as tf.Tensor))).dataSync()[0]);
}

async function saveToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

/** Sequential: LinearConv2D (full, low rank, grouped, depthwise, explicit padding) and a Conv2D. */
function sequentialModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      linearConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [10, 10, 3], kernelRegularizer: correlation() }),
      linearConv2d({ filters: 8, kernelSize: 3, groups: 2, coefficients: { kind: 'lowRank', rank: 2 }, padding: [[1, 0], [0, 1]] }),
      linearConv2d({ filters: 16, kernelSize: 3, groups: 8, strides: 2, padding: 'same', useBias: false }),
      tf.layers.conv2d({ filters: 6, kernelSize: 1 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ],
  });
}

/** Functional, with a residual add around a LinearConv2D. */
function functionalModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 4] });
  const a = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'stem' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', dilationRate: 2, name: 'dilated' }).apply(a) as tf.SymbolicTensor;
  const c = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
  const d = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', name: 'head' }).apply(c) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(d) as tf.SymbolicTensor });
}

describe('save and load', () => {
  it('round-trips Sequential and functional models with identical predictions', async () => {
    const seq = sequentialModel();
    const converted = (await convertModel(functionalModel(), { initialize: 'random' })).model;
    for (const [model, input] of [[seq, x([2, 10, 10, 3])], [converted, x([2, 8, 8, 4])]] as const) {
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
      expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
      expect(maxDifference(model, loaded, input)).toBe(0);
      loaded.dispose();
    }
    const reloaded = (await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(seq)))).layers[0] as LinearConv2D;
    expect(reloaded.getConfig().kernelRegularizer).toMatchObject({ className: 'LinearConvCorrelation', config: { weight: 0.01, every: 10 } });
  });

  it('saves only primaries and coefficients: a LinearConv VGG11 weighs about half of the Conv2D one', async () => {
    const sizes: Record<string, number> = {};
    for (const variant of ['conv', 'full', 'lowRank'] as const) {
      const model = zooModel('vgg11', { variant });
      const artifacts = await saveToMemory(model);
      sizes[variant] = (artifacts.weightData as ArrayBuffer).byteLength;
      if (variant !== 'conv') {
        const names = artifacts.weightSpecs!.filter((s) => s.name.startsWith('conv1/')).map((s) => s.name);
        expect(names).toEqual(variant === 'full' ? ['conv1/primary', 'conv1/coefficients', 'conv1/bias'] : ['conv1/primary', 'conv1/column', 'conv1/row', 'conv1/bias']);
      }
      model.dispose();
    }
    // All float32: bytes / 4 = every weight, batch norm moving statistics included.
    expect(sizes.full / sizes.conv).toBeGreaterThan(0.5);
    expect(sizes.full / sizes.conv).toBeLessThan(0.55);
    expect(sizes.lowRank).toBeLessThan(sizes.full);
    console.log(`VGG11 weight file: Conv2D ${sizes.conv} B, LinearConv ${sizes.full} B (${(sizes.full / sizes.conv).toFixed(3)}), low rank ${sizes.lowRank} B`);
  });
});

describe('convertModel', () => {
  it('converts every Conv2D of a functional model, keeping every hyperparameter and the other weights', async () => {
    const source = functionalModel();
    const { model, layers } = await convertModel(source);
    expect(layers.map((l) => l.name)).toEqual(['stem', 'dilated', 'head']);
    const dilated = model.getLayer('dilated') as LinearConv2D;
    expect(dilated.getClassName()).toBe('LinearConv2D');
    const { primaryFilters, coefficients, coefficientsInitializer, groups, ...carried } = dilated.getConfig();
    expect(carried).toEqual({ ...source.getLayer('dilated').getConfig() });
    expect([primaryFilters, coefficients, groups]).toEqual([3, { kind: 'full' }, 1]);
    expect(coefficientsInitializer).toBeDefined();
    expect(layers[0]).toMatchObject({ paramsBefore: 6 * 36 + 6, paramsAfter: 3 * 36 + 3 * 3 + 6 });
    for (const l of layers) expect(l.relativeError).toBeGreaterThan(0);
    expect(source.getLayer('stem').getClassName()).toBe('Conv2D');
  });

  it('starts where a LinearConv model was: a folded LinearConv model converts back exactly', async () => {
    const original = sequentialModel();
    const folded = await foldModel(original);
    expect(folded.layers[0].getConfig().kernelRegularizer).toBeNull();
    const back = await convertModel(folded, { layers: [folded.layers[0].name] });
    expect(back.layers.map((l) => l.name)).toEqual([original.layers[0].name]);
    expect(back.layers[0].relativeError).toBeLessThan(1e-6);
    expect(maxDifference(original, back.model, x([2, 10, 10, 3]))).toBeLessThan(1e-4);
  });

  it('converts by name, with a chosen p and low-rank coefficients', async () => {
    const { model, layers } = await convertModel(functionalModel(), {
      layers: ['head'],
      primaryFilters: () => 1,
      coefficients: { kind: 'lowRank', rank: 1 },
    });
    expect(layers).toHaveLength(1);
    expect(model.getLayer('stem').getClassName()).toBe('Conv2D');
    expect((model.getLayer('head') as LinearConv2D).spec).toMatchObject({ primaryFilters: 1, coefficients: { kind: 'lowRank', rank: 1 } });
  });

  it('refuses what it cannot carry exactly, by name, and writes nothing', async () => {
    const regularized = tf.sequential({ layers: [tf.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [5, 5, 1], kernelRegularizer: 'l1l2', name: 'reg' })] });
    await expect(convertModel(regularized)).rejects.toThrow(/layer "reg" \(Conv2D\): kernelRegularizer is not supported/);
    const single = tf.sequential({ layers: [tf.layers.conv2d({ filters: 1, kernelSize: 3, inputShape: [5, 5, 1], name: 'one' })] });
    await expect(convertModel(single)).rejects.toThrow(LinearConvError);
    await expect(convertModel(functionalModel(), { layers: ['nope'] })).rejects.toThrow(/no layer is named "nope"/);
  });
});

describe('foldModel', () => {
  it('folds to plain convs with the same predictions (within 1e-5)', async () => {
    const model = sequentialModel();
    const folded = await foldModel(model);
    expect(folded.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'GroupedConv2D', 'DepthwiseConv2D', 'Conv2D', 'Flatten', 'Dense']);
    expect(maxDifference(model, folded, x([3, 10, 10, 3]))).toBeLessThan(1e-5);
    expect(folded.countParams()).toBeGreaterThan(model.countParams());
  });

  it('folds a converted functional model', async () => {
    const { model } = await convertModel(functionalModel(), { initialize: 'random' });
    const folded = await foldModel(model);
    expect(folded.layers.some((l) => l.getClassName() === 'LinearConv2D')).toBe(false);
    expect(maxDifference(model, folded, x([2, 8, 8, 4]))).toBeLessThan(1e-5);
  });

  // One test per zoo model, predicting on wasm: tfjs-cpu's grouped convs take ~20 s for
  // ResNeXt-29 on a loaded 2-core machine, wasm ~1 s.
  it.each(['mobilenetv2', 'resnext29'] as const)('folds the low-rank %s zoo model', async (name) => {
    await tf.setBackend('wasm');
    try {
      const zoo = zooModel(name, { variant: 'lowRank' });
      const plain = await foldModel(zoo);
      expect(maxDifference(zoo, plain, x([1, 32, 32, 3], 4))).toBeLessThan(1e-4);
      zoo.dispose();
      plain.dispose();
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('keeps a grouped conv grouped', () => {
    const layer = groupedConv2d({ filters: 4, kernelSize: 3, groups: 2 });
    layer.apply(tf.input({ shape: [5, 5, 4] }));
    expect(layer.getWeights()[0].shape).toEqual([3, 3, 2, 4]);
  });
});
