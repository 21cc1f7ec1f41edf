import '@tensorflow/tfjs-backend-cpu';
import { LinearConvError } from '@linearconv/core';
import { linearConv2d } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { input, type LayersModel, layers, model, type SymbolicTensor, sequential } from '@tensorflow/tfjs-layers';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from './export-model.js';
import { IR_VERSION, OPSET_VERSION } from './graph.js';
import { inspectModel } from './inspect-model.js';
import { type FloatTensor, runModel } from './onnx-runtime.js';
import { loadOnnxRuntime, type OnnxRuntimeName } from './onnx-runtime-node.js';
import { SUPPORTED_LAYERS } from './tfjs-layers.js';
import { everyLayerModel } from './test-support/every-layer-model.js';
import { checkModels } from './test-support/onnx-checker.js';
import { setSeededWeights } from './test-support/seeded-weights.js';
import { expectSameOutputs, foldedParams, seededInput, tfjsOutputs } from './test-support/tfjs-outputs.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function onnxOutputs(runtime: OnnxRuntimeName, bytes: Uint8Array, feeds: Parameters<typeof runModel>[2]) {
  const outputs = await runModel(await loadOnnxRuntime(runtime), bytes, feeds);
  return inspectModel(bytes).outputs.map((o) => outputs[o.name]);
}

describe('exportModel: a model with every supported layer', () => {
  let m: LayersModel;
  let x: FloatTensor;
  let expected: FloatTensor[];
  let models: { compact: Uint8Array; folded: Uint8Array };
  beforeAll(() => {
    m = everyLayerModel();
    setSeededWeights(m, 7);
    x = seededInput(m, 2, 8);
    expected = tfjsOutputs(m, x);
    models = { compact: exportModel(m, { mode: 'compact' }), folded: exportModel(m, { mode: 'folded' }) };
  });

  it('uses every supported layer class', () => {
    const used = new Set(m.layers.map((l) => l.getClassName()));
    expect(SUPPORTED_LAYERS.filter((c) => !used.has(c))).toEqual([]);
  });

  it('passes the ONNX checker with full shape inference', () => {
    expect(checkModels(models).errors).toEqual({ compact: null, folded: null });
  });

  for (const mode of ['compact', 'folded'] as const) {
    for (const runtime of ['web', 'node'] as const) {
      it(`${mode} on onnxruntime-${runtime} gives tfjs's outputs (batch 2)`, async () => {
        expectSameOutputs(await onnxOutputs(runtime, models[mode], { input: x }), expected, `${mode}/${runtime}`);
      });
    }
  }

  it("with layout 'nchw' takes and gives 4-D tensors as PyTorch has them: the same values, transposed", async () => {
    const nchw = exportModel(m, { mode: 'compact', layout: 'nchw' });
    expect(checkModels({ nchw }).errors).toEqual({ nchw: null });
    const info = inspectModel(nchw);
    expect(info.inputs[0].shape).toEqual(['batch', 3, 12, 10]);
    const outputs = await onnxOutputs('web', nchw, { input: permute(x, [0, 3, 1, 2]) });
    expect(outputs.some((o) => o.shape.length === 4)).toBe(true);
    expectSameOutputs(outputs.map((o) => (o.shape.length === 4 ? permute(o, [0, 2, 3, 1]) : o)), expected, 'nchw/web');
  });

  it('declares NHWC inputs and outputs as tfjs has them, a dynamic batch, opset 17 and IR 8', () => {
    const info = inspectModel(models.compact);
    expect(info).toMatchObject({
      irVersion: IR_VERSION,
      opsetVersion: OPSET_VERSION,
      inputs: [{ name: 'input', shape: ['batch', 12, 10, 3] }],
      outputs: [
        { name: 'output_0', shape: ['batch', 6] },
        { name: 'output_1', shape: ['batch', 6, 4, 16] },
        { name: 'output_2', shape: ['batch', 3] },
      ],
      metadata: { 'linearconv.mode': 'compact', 'linearconv.layout': 'NHWC' },
    });
  });

  it('compact stores what tfjs stores; folded stores the composed filters instead', () => {
    expect(inspectModel(models.compact).params).toBe(m.countParams());
    expect(inspectModel(models.folded).params).toBe(foldedParams(m));
    expect(inspectModel(models.compact).operators.MatMul).toBeGreaterThan(inspectModel(models.folded).operators.MatMul);
  });

  it('takes a static batch and names of your choosing; node and value names are sanitised identifiers', async () => {
    const bytes = exportModel(m, { batch: 2, inputNames: ['pixels'], outputNames: ['probabilities', 'features', 'squashed'] });
    const info = inspectModel(bytes);
    expect(info.inputs).toEqual([{ name: 'pixels', shape: [2, 12, 10, 3] }]);
    expect(info.outputs.map((o) => [o.name, o.shape[0]])).toEqual([
      ['probabilities', 2],
      ['features', 2],
      ['squashed', 2],
    ]);
    const graph = onnxProto.onnx.ModelProto.decode(bytes).graph!;
    const names = [...graph.node!.flatMap((n) => [n.name!, ...n.input!, ...n.output!]), ...graph.initializer!.map((t) => t.name!)];
    expect(names.filter((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))).toEqual([]);
    // The layer named 'low.rank/conv' keeps a readable name.
    expect(graph.initializer!.map((t) => t.name)).toContain('low_rank_conv_primary');
    expectSameOutputs(await onnxOutputs('web', bytes, { pixels: x }), expected, 'static batch');
  });
});

describe('exportModel: Sequential models', () => {
  it('exports a Sequential LinearConv model (Flatten of a multi-channel map, fused softmax)', async () => {
    const s = sequential({
      layers: [
        linearConv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [7, 5, 2] }),
        layers.maxPooling2d({ poolSize: 2 }),
        linearConv2d({ filters: 4, kernelSize: 2, coefficients: { kind: 'lowRank', rank: 1 } }),
        layers.flatten(),
        layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    setSeededWeights(s, 3);
    const x = seededInput(s, 3, 4);
    const expected = tfjsOutputs(s, x);
    const compact = exportModel(s);
    const folded = exportModel(s, { mode: 'folded' });
    expect(checkModels({ compact, folded }).errors).toEqual({ compact: null, folded: null });
    expect(inspectModel(compact).outputs).toEqual([{ name: 'output', shape: ['batch', 3] }]);
    for (const bytes of [compact, folded]) expectSameOutputs(await onnxOutputs('node', bytes, { input: x }), expected, 'sequential');
  });
});

describe('exportModel: refusals', () => {
  const build = (layer: (x: SymbolicTensor) => SymbolicTensor, shape: (number | null)[] = [8, 8, 2]): LayersModel => {
    const x = input({ shape });
    return model({ inputs: x, outputs: layer(x) });
  };
  const apply = (l: { apply(t: SymbolicTensor | SymbolicTensor[]): unknown }) => (x: SymbolicTensor) => l.apply(x) as SymbolicTensor;
  const refusals: [string, () => LayersModel, string, RegExp][] = [
    ['an unsupported layer class', () => build(apply(layers.upSampling2d({ name: 'up' }))), 'up (UpSampling2D)', /the layer class is not supported/],
    ['an unsupported fused activation', () => build(apply(layers.conv2d({ filters: 2, kernelSize: 3, activation: 'swish', name: 'c' }))), 'c (Conv2D)', /activation 'swish'.*is not supported/],
    ['an unsupported Activation layer', () => build(apply(layers.activation({ activation: 'softplus', name: 'a' }))), 'a (Activation)', /activation 'softplus'/],
    [
      'channelsFirst',
      () => build(apply(layers.conv2d({ filters: 2, kernelSize: 1, dataFormat: 'channelsFirst', name: 'cf' }))),
      'cf (Conv2D)',
      /dataFormat 'channelsFirst'.*is not supported/,
    ],
    [
      "'same' padding on an input of unknown size",
      () => build(apply(linearConv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'lc' })), [null, null, 2]),
      'lc (LinearConv2D)',
      /'same' padding needs a known input height and width/,
    ],
    ['batch norm over a spatial axis', () => build(apply(layers.batchNormalization({ axis: 1, name: 'bn' }))), 'bn (BatchNormalization)', /normalising axis 1/],
    [
      'a shared layer',
      () => {
        const dense = layers.dense({ units: 2, name: 'shared' });
        return build((x) => dense.apply(dense.apply(layers.flatten().apply(x) as SymbolicTensor) as SymbolicTensor) as SymbolicTensor, [2, 1, 1]);
      },
      'shared (Dense)',
      /shared layer/,
    ],
  ];
  for (const [title, make, field, rule] of refusals) {
    it(`refuses ${title}, naming the layer and its class`, () => {
      const m = make();
      let error: unknown;
      try {
        exportModel(m);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LinearConvError);
      expect((error as LinearConvError).field).toBe(field);
      expect((error as LinearConvError).rule).toMatch(rule);
      m.dispose();
    });
  }

  it('refuses bad options, naming the option', () => {
    const m = build(apply(layers.flatten()));
    expect(() => exportModel(m, { mode: 'fast' as never })).toThrow(/^mode: must be 'compact' or 'folded'/);
    expect(() => exportModel(m, { batch: 1.5 })).toThrow(/^batch: must be a positive integer/);
    expect(() => exportModel(m, { inputNames: ['a', 'b'] })).toThrow(/^inputNames: must list 1 name/);
    expect(() => exportModel(m, { outputNames: ['1st'] })).toThrow(/^outputNames\[0\]: must be an identifier/);
    expect(() => exportModel(m, { inputNames: ['same'], outputNames: ['same'] })).toThrow(/^outputNames: "same" is used twice/);
  });
});

/** A 4-D tensor with its axes reordered: `perm[i]` is the source axis of axis i. */
function permute(t: FloatTensor, perm: readonly number[]): FloatTensor {
  const shape = perm.map((a) => t.shape[a]);
  const strides = [t.shape[1] * t.shape[2] * t.shape[3], t.shape[2] * t.shape[3], t.shape[3], 1];
  const data = new Float32Array(t.data.length);
  let k = 0;
  for (let i = 0; i < shape[0]; i++)
    for (let j = 0; j < shape[1]; j++)
      for (let l = 0; l < shape[2]; l++)
        for (let m = 0; m < shape[3]; m++) data[k++] = t.data[i * strides[perm[0]] + j * strides[perm[1]] + l * strides[perm[2]] + m * strides[perm[3]]];
  return { shape, data };
}
