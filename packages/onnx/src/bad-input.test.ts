import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom, initialWeights, LinearConvError, layerSpec } from '@linearconv/core';
import { rejectionOf } from '@linearconv/test-support';
import * as tf from '@tensorflow/tfjs-core';
import { input, type LayersModel, layers, model, sequential } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLayer } from './export-layer.js';
import { exportModel } from './export-model.js';
import { exportToFile, writeModelFile } from './export-to-file.js';
import { inspectModel } from './inspect-model.js';
import { loadOnnxRuntime, runModel } from './onnx-runtime.js';
import { loadOnnxRuntime as loadNodeRuntime } from './onnx-runtime-node.js';

/** One bad call: what it is given (built fresh per row), how it is called, the parameter it must name. */
interface Row {
  readonly title: string;
  readonly args: () => unknown[];
  readonly call: (...args: never[]) => unknown;
  readonly field: string;
}

const dir = mkdtempSync(join(tmpdir(), 'linearconv-bad-input-'));
const models: LayersModel[] = [];
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  for (const m of models) m.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function tinyModel(): LayersModel {
  const x = input({ shape: [4, 4, 1] });
  const m = model({ inputs: x, outputs: layers.conv2d({ filters: 2, kernelSize: 3 }).apply(x) as never });
  models.push(m);
  return m;
}

const spec = layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 3 });
const weights = () => initialWeights(spec, createRandom(1));
const bytes = () => exportLayer(spec, weights(), { inputSize: [4, 4] });
const feed = () => ({ shape: [1, 2, 4, 4], data: new Float32Array(32) });
const ort = await loadNodeRuntime('node');

const rows: Row[] = [
  // exportModel
  { title: 'exportModel(null)', args: () => [null], call: exportModel, field: 'model' },
  { title: 'exportModel(undefined)', args: () => [undefined], call: exportModel, field: 'model' },
  { title: 'exportModel(a path)', args: () => ['model.json'], call: exportModel, field: 'model' },
  { title: 'exportModel({})', args: () => [{}], call: exportModel, field: 'model' },
  { title: 'exportModel(an unbuilt Sequential)', args: () => [sequential()], call: exportModel, field: 'model' },
  { title: 'exportModel(model, null)', args: () => [tinyModel(), null], call: exportModel, field: 'options' },
  { title: "exportModel(model, 'folded')", args: () => [tinyModel(), 'folded'], call: exportModel, field: 'options' },
  { title: 'exportModel(model, [])', args: () => [tinyModel(), []], call: exportModel, field: 'options' },
  { title: 'exportModel: a misspelt option', args: () => [tinyModel(), { mdoe: 'folded' }], call: exportModel, field: 'options.mdoe' },
  { title: 'exportModel: mode 3', args: () => [tinyModel(), { mode: 3 }], call: exportModel, field: 'mode' },
  { title: "exportModel: batch '1'", args: () => [tinyModel(), { batch: '1' }], call: exportModel, field: 'batch' },
  { title: 'exportModel: batch 2n', args: () => [tinyModel(), { batch: 2n }], call: exportModel, field: 'batch' },
  { title: 'exportModel: inputNames a string', args: () => [tinyModel(), { inputNames: 'input' }], call: exportModel, field: 'inputNames' },
  { title: 'exportModel: inputNames [5]', args: () => [tinyModel(), { inputNames: [5] }], call: exportModel, field: 'inputNames[0]' },
  { title: 'exportModel: outputNames {}', args: () => [tinyModel(), { outputNames: {} }], call: exportModel, field: 'outputNames' },
  // exportLayer
  { title: 'exportLayer(null, weights)', args: () => [null, weights()], call: exportLayer, field: 'spec' },
  { title: "exportLayer('conv', weights)", args: () => ['conv', weights()], call: exportLayer, field: 'spec' },
  { title: 'exportLayer: kernelSize a string', args: () => [{ ...spec, kernelSize: '3' }, weights()], call: exportLayer, field: 'kernelSize' },
  { title: 'exportLayer(spec, null)', args: () => [spec, null], call: exportLayer, field: 'weights' },
  { title: 'exportLayer(spec, undefined)', args: () => [spec, undefined], call: exportLayer, field: 'weights' },
  { title: 'exportLayer(spec, [])', args: () => [spec, []], call: exportLayer, field: 'weights' },
  { title: 'exportLayer: primaries as a number[]', args: () => [spec, { ...weights(), primary: Array.from(weights().primary) }], call: exportLayer, field: 'weights.primary' },
  { title: 'exportLayer: no primaries', args: () => [spec, { ...weights(), primary: undefined }], call: exportLayer, field: 'weights.primary' },
  { title: 'exportLayer: coefficients a string', args: () => [spec, { ...weights(), coefficients: 'abc' }], call: exportLayer, field: 'weights.coefficients' },
  { title: 'exportLayer(spec, weights, null)', args: () => [spec, weights(), null], call: exportLayer, field: 'options' },
  { title: 'exportLayer(spec, weights, 1)', args: () => [spec, weights(), 1], call: exportLayer, field: 'options' },
  { title: 'exportLayer: a misspelt option', args: () => [spec, weights(), { inputsize: [4, 4] }], call: exportLayer, field: 'options.inputsize' },
  { title: "exportLayer: inputSize '4x4'", args: () => [spec, weights(), { inputSize: '4x4' }], call: exportLayer, field: 'inputSize' },
  { title: "exportLayer: inputSize [4, '4']", args: () => [spec, weights(), { inputSize: [4, '4'] }], call: exportLayer, field: 'inputSize[1]' },
  { title: "exportLayer: filtersOutput 'yes'", args: () => [spec, weights(), { filtersOutput: 'yes' }], call: exportLayer, field: 'filtersOutput' },
  { title: 'exportLayer: inputName 5', args: () => [spec, weights(), { inputName: 5 }], call: exportLayer, field: 'inputName' },
  { title: 'exportLayer: batch -1', args: () => [spec, weights(), { batch: -1 }], call: exportLayer, field: 'batch' },
  // inspectModel
  { title: 'inspectModel(null)', args: () => [null], call: inspectModel, field: 'bytes' },
  { title: 'inspectModel(number[])', args: () => [[8, 1]], call: inspectModel, field: 'bytes' },
  { title: 'inspectModel(an ArrayBuffer)', args: () => [bytes().buffer], call: inspectModel, field: 'bytes' },
  { title: 'inspectModel(truncated bytes)', args: () => [bytes().subarray(0, 20)], call: inspectModel, field: 'bytes' },
  { title: 'inspectModel(no graph)', args: () => [new Uint8Array(0)], call: inspectModel, field: 'bytes' },
  // runModel
  { title: 'runModel(null, …)', args: () => [null, bytes(), { input: feed() }], call: runModel, field: 'runtime' },
  { title: 'runModel({}, …)', args: () => [{}, bytes(), { input: feed() }], call: runModel, field: 'runtime' },
  { title: 'runModel(ort, null, …)', args: () => [ort, null, { input: feed() }], call: runModel, field: 'model' },
  { title: 'runModel(ort, a path, …)', args: () => [ort, 'model.onnx', { input: feed() }], call: runModel, field: 'model' },
  { title: 'runModel(ort, bytes, null)', args: () => [ort, bytes(), null], call: runModel, field: 'feeds' },
  { title: 'runModel: a feed that is null', args: () => [ort, bytes(), { input: null }], call: runModel, field: 'feeds.input' },
  { title: 'runModel: data a number[]', args: () => [ort, bytes(), { input: { ...feed(), data: Array(32).fill(0) } }], call: runModel, field: 'feeds.input.data' },
  { title: 'runModel: data too short', args: () => [ort, bytes(), { input: { ...feed(), data: new Float32Array(3) } }], call: runModel, field: 'feeds.input.data' },
  { title: "runModel: shape '1x2x4x4'", args: () => [ort, bytes(), { input: { ...feed(), shape: '1x2x4x4' } }], call: runModel, field: 'feeds.input.shape' },
  { title: 'runModel: shape [1, 2, 4, 4.5]', args: () => [ort, bytes(), { input: { ...feed(), shape: [1, 2, 4, 4.5] } }], call: runModel, field: 'feeds.input.shape' },
  // loading a runtime
  { title: "loadOnnxRuntime('node') from the main entry", args: () => ['node'], call: loadOnnxRuntime, field: 'name' },
  { title: 'loadOnnxRuntime(5)', args: () => [5], call: loadOnnxRuntime, field: 'name' },
  { title: "loadOnnxRuntime('wasm') from the Node entry", args: () => ['wasm'], call: loadNodeRuntime, field: 'name' },
  { title: 'loadOnnxRuntime(null) from the Node entry', args: () => [null], call: loadNodeRuntime, field: 'name' },
  // files
  { title: 'exportToFile()', args: () => [], call: exportToFile, field: 'options' },
  { title: 'exportToFile(null)', args: () => [null], call: exportToFile, field: 'options' },
  { title: 'exportToFile: model and zoo', args: () => [{ model: tinyModel(), zoo: { name: 'base' } }], call: exportToFile, field: 'model' },
  { title: "exportToFile: zoo 'base'", args: () => [{ zoo: 'base' }], call: exportToFile, field: 'zoo' },
  { title: 'exportToFile: a misspelt option', args: () => [{ model: tinyModel(), mod: 'folded' }], call: exportToFile, field: 'options.mod' },
  { title: 'exportToFile: out 5', args: () => [{ model: tinyModel(), out: 5 }], call: exportToFile, field: 'out' },
  { title: 'exportToFile: out a directory', args: () => [{ model: tinyModel(), out: dir }], call: exportToFile, field: 'out' },
  { title: 'exportToFile: out in a missing directory', args: () => [{ model: tinyModel(), out: join(dir, 'missing', 'm.onnx') }], call: exportToFile, field: 'out' },
  { title: 'exportToFile: a bad export option', args: () => [{ model: tinyModel(), batch: 0, out: join(dir, 'm.onnx') }], call: exportToFile, field: 'batch' },
  { title: 'writeModelFile(5, bytes)', args: () => [5, bytes()], call: writeModelFile, field: 'path' },
  { title: 'writeModelFile(a directory, bytes)', args: () => [dir, bytes()], call: writeModelFile, field: 'path' },
  { title: "writeModelFile(path, 'bytes')", args: () => [join(dir, 'm.onnx'), 'bytes'], call: writeModelFile, field: 'bytes' },
  { title: 'writeModelFile(path, number[])', args: () => [join(dir, 'm.onnx'), [1, 2]], call: writeModelFile, field: 'bytes' },
];

/** A comparable copy of what a call was given: typed arrays as arrays, tfjs models by config and weights. */
function fingerprint(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return [value.constructor.name, Array.from(value as Float32Array)];
  if (value instanceof ArrayBuffer) return ['ArrayBuffer', Array.from(new Uint8Array(value))];
  if (value instanceof tf.Tensor) return value.arraySync();
  if (value !== null && typeof value === 'object' && 'getWeights' in value) {
    const m = value as LayersModel;
    return { config: m.toJSON(null, false), weights: m.getWeights().map((w) => Array.from(w.dataSync())) };
  }
  if (Array.isArray(value)) return value.map(fingerprint);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fingerprint(v)]));
  }
  return value;
}

describe('bad input: a LinearConvError naming the parameter, the input unchanged', () => {
  it.each(rows.map((row) => [row.title, row] as const))('%s', async (_, row) => {
    const args = row.args();
    const before = fingerprint(args);
    const error = await rejectionOf(async () => (row.call as (...a: unknown[]) => unknown)(...args), LinearConvError);
    expect(error.field).toBe(row.field);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(fingerprint(args)).toEqual(before);
  });

  it('leaves no file behind', () => {
    expect(readdirSync(dir)).toEqual([]);
  });
});
