import { LinearConvError } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeKernel } from './compose.js';
import { groupedConv2d } from './conv-layer.js';
import { convertModel } from './convert.js';
import { foldModel } from './fold.js';
import { linearConv2d } from './linear-conv2d.js';
import { correlation, orthogonality } from './regularizers.js';
import { trainableParams, zooModel } from './zoo.js';

/**
 * The package's public functions, fed what a careless caller might pass: each row is refused with
 * a LinearConvError naming `field`, leaves the caller's arguments (options, models, tensors) as
 * they were, and leaks no tensor.
 */
interface Row {
  readonly name: string;
  /** Fresh arguments for each run (what the caller owns). */
  readonly args: () => unknown[];
  readonly call: (...args: never[]) => unknown;
  readonly field: string;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Sequential: a LinearConv2D, two Conv2D named cx and cxx (one a prefix of the other), a Dense. */
function mixedModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      linearConv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2], name: 'lc' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'cx' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'cxx' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 2, name: 'dense' }),
    ],
  });
}

const tensors: tf.Tensor[] = [];
/** A tensor the row's arguments hold, disposed after all runs, so it does not count as a leak. */
const keep = <T extends tf.Tensor>(t: T): T => {
  tensors.push(t);
  return t;
};
let model: tf.Sequential;

const convertRows: Row[] = [
  { name: 'convertModel(null)', args: () => [null], call: convertModel, field: 'model' },
  { name: 'convertModel(undefined)', args: () => [undefined], call: convertModel, field: 'model' },
  { name: 'convertModel({})', args: () => [{}], call: convertModel, field: 'model' },
  { name: 'convertModel(a layer)', args: () => [tf.layers.conv2d({ filters: 2, kernelSize: 1 })], call: convertModel, field: 'model' },
  { name: 'convertModel(a model config)', args: () => [model.getConfig()], call: convertModel, field: 'model' },
  { name: 'options null', args: () => [model, null], call: convertModel, field: 'options' },
  { name: 'options a string', args: () => [model, 'cx'], call: convertModel, field: 'options' },
  { name: 'an unknown option (layer)', args: () => [model, { layer: ['cx'] }], call: convertModel, field: 'options.layer' },
  { name: "layers: 'cxx' (a string, not an array)", args: () => [model, { layers: 'cxx' }], call: convertModel, field: 'options.layers' },
  { name: 'layers: [1]', args: () => [model, { layers: [1] }], call: convertModel, field: 'options.layers[0]' },
  { name: "layers: ['nope']", args: () => [model, { layers: ['nope'] }], call: convertModel, field: 'options.layers' },
  { name: "layers: ['c'] (a prefix of a name)", args: () => [model, { layers: ['c'] }], call: convertModel, field: 'options.layers' },
  { name: "layers: ['dense'] (not a Conv2D)", args: () => [model, { layers: ['dense'] }], call: convertModel, field: 'options.layers' },
  { name: "layers: ['lc'] (already LinearConv2D)", args: () => [model, { layers: ['lc'] }], call: convertModel, field: 'options.layers' },
  { name: 'layers: a function returning a string', args: () => [model, { layers: () => 'yes' }], call: convertModel, field: 'options.layers' },
  { name: 'layers: 7', args: () => [model, { layers: 7 }], call: convertModel, field: 'options.layers' },
  { name: "initialize: 'zeros'", args: () => [model, { initialize: 'zeros' }], call: convertModel, field: 'options.initialize' },
  { name: 'primaryFilters: 2 (not a function)', args: () => [model, { primaryFilters: 2 }], call: convertModel, field: 'options.primaryFilters' },
  { name: 'primaryFilters giving 0', args: () => [model, { primaryFilters: () => 0 }], call: convertModel, field: 'options.primaryFilters' },
  { name: 'primaryFilters giving 1.5', args: () => [model, { primaryFilters: () => 1.5 }], call: convertModel, field: 'options.primaryFilters' },
  { name: 'primaryFilters giving F', args: () => [model, { primaryFilters: (f: number) => f }], call: convertModel, field: 'options.primaryFilters' },
  { name: "coefficients: 'lowRank'", args: () => [model, { coefficients: 'lowRank' }], call: convertModel, field: 'options.coefficients' },
  { name: 'coefficients rank 0', args: () => [model, { coefficients: { kind: 'lowRank', rank: 0 } }], call: convertModel, field: 'options.coefficients.rank' },
];

const foldRows: Row[] = [
  { name: 'foldModel(null)', args: () => [null], call: foldModel, field: 'model' },
  { name: 'foldModel(undefined)', args: () => [undefined], call: foldModel, field: 'model' },
  { name: 'foldModel(a tensor)', args: () => [keep(tf.zeros([2]))], call: foldModel, field: 'model' },
  { name: 'foldModel(a model config)', args: () => [model.getConfig()], call: foldModel, field: 'model' },
];

const layerRows: Row[] = [
  { name: 'linearConv2d(null)', args: () => [null], call: linearConv2d, field: 'args' },
  { name: 'linearConv2d with primaryFilters = filters', args: () => [{ filters: 4, kernelSize: 3, primaryFilters: 4 }], call: linearConv2d, field: 'primaryFilters' },
  { name: 'linearConv2d with 2^53 filters', args: () => [{ filters: 2 ** 53, kernelSize: 3 }], call: linearConv2d, field: 'filters' },
  { name: 'linearConv2d with rank "2"', args: () => [{ filters: 4, kernelSize: 3, coefficients: { kind: 'lowRank', rank: '2' } }], call: linearConv2d, field: 'coefficients.rank' },
  { name: "linearConv2d with coefficientsInitializer 'nope'", args: () => [{ filters: 4, kernelSize: 3, coefficientsInitializer: 'nope' }], call: linearConv2d, field: 'coefficientsInitializer' },
  { name: 'linearConv2d with groups 3 of 4 filters', args: () => [{ filters: 4, kernelSize: 3, groups: 3 }], call: linearConv2d, field: 'groups' },
  { name: 'linearConv2d with a bad explicit padding', args: () => [{ filters: 4, kernelSize: 3, padding: [[1, -1], [0, 0]] }], call: linearConv2d, field: 'padding' },
  { name: 'groupedConv2d(undefined)', args: () => [undefined], call: groupedConv2d, field: 'args' },
  { name: 'correlation(null)', args: () => [null], call: correlation, field: 'args' },
  { name: 'correlation({ wieght })', args: () => [{ wieght: 1 }], call: correlation, field: 'args.wieght' },
  { name: 'correlation({ weight: -1 })', args: () => [{ weight: -1 }], call: correlation, field: 'weight' },
  { name: "correlation({ weight: '1' })", args: () => [{ weight: '1' }], call: correlation, field: 'weight' },
  { name: 'orthogonality({ every: 0 })', args: () => [{ every: 0 }], call: orthogonality, field: 'every' },
  { name: 'composeKernel(null)', args: () => [null], call: composeKernel, field: 'weights' },
  { name: 'composeKernel with a 3-D primary', args: () => [{ primary: keep(tf.zeros([3, 3, 2])), coefficients: keep(tf.zeros([2, 2])) }], call: composeKernel, field: 'weights.primary' },
  { name: 'composeKernel with a Float32Array primary', args: () => [{ primary: new Float32Array(36), coefficients: keep(tf.zeros([2, 2])) }], call: composeKernel, field: 'weights.primary' },
  { name: 'composeKernel with coefficients [s, p + 1]', args: () => [{ primary: keep(tf.zeros([3, 3, 2, 2])), coefficients: keep(tf.zeros([2, 3])) }], call: composeKernel, field: 'weights.coefficients' },
  { name: 'composeKernel with no coefficients', args: () => [{ primary: keep(tf.zeros([3, 3, 2, 2])) }], call: composeKernel, field: 'weights.column' },
  { name: 'composeKernel with a mismatched row', args: () => [{ primary: keep(tf.zeros([1, 1, 2, 2])), column: keep(tf.zeros([2, 1])), row: keep(tf.zeros([2, 2])) }], call: composeKernel, field: 'weights.row' },
  { name: "zooModel('base', null)", args: () => ['base', null], call: zooModel, field: 'options' },
  { name: "zooModel('base', { varient })", args: () => ['base', { varient: 'full' }], call: zooModel, field: 'options.varient' },
  { name: "zooModel('base', { inputShape: 32 })", args: () => ['base', { inputShape: 32 }], call: zooModel, field: 'inputShape' },
  { name: "zooModel('vgg12')", args: () => ['vgg12'], call: zooModel, field: 'model' },
  { name: 'trainableParams(null)', args: () => [null], call: trainableParams, field: 'model' },
];

/** What a caller could see change: options deep-copied, models by config and weight values, tensors by values. */
function snapshot(value: unknown): unknown {
  if (value instanceof tf.Tensor) return { tensor: value.shape, values: Array.from(value.dataSync()) };
  if (value instanceof tf.LayersModel) {
    return { config: JSON.stringify(value.getConfig()), weights: value.getWeights().map((w) => Array.from(w.dataSync())) };
  }
  if (value instanceof tf.layers.Layer) return { layer: value.name, config: JSON.stringify(value.getConfig()) };
  if (typeof value === 'function' || value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return structuredClone(value);
  if (Array.isArray(value)) return value.map(snapshot);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, snapshot(v)]));
}

const tables: Record<string, Row[]> = { convertModel: convertRows, foldModel: foldRows, 'layers, regularisers, zoo': layerRows };

describe.each(Object.entries(tables))('bad input: %s', (_, rows) => {
  beforeAll(() => {
    model = mixedModel();
  });

  it.each(rows)('$name → LinearConvError($field), arguments untouched, no tensor leaked', async ({ args, call, field }) => {
    const given = args();
    const before = snapshot(given);
    const tensorsBefore = tf.memory().numTensors;
    let thrown: unknown;
    try {
      await (call as (...a: unknown[]) => unknown)(...given);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LinearConvError);
    expect((thrown as LinearConvError).field).toBe(field);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(snapshot(given)).toEqual(before);
  });
});

describe('bad input: cleanup', () => {
  it('releases the tensors the rows held', () => {
    tf.dispose(tensors);
    model.dispose();
    expect(tensors.every((t) => t.isDisposed)).toBe(true);
  });
});
