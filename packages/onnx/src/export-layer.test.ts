import { compareArrays, TOLERANCES } from '@linearconv/conformance';
import {
  composeFilters,
  createRandom,
  initialWeights,
  type LayerSpecInput,
  LinearConvError,
  layerSpec,
  linearConvForward,
  uniformArray,
  weightShapes,
} from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { exportLayer } from './export-layer.js';
import { IR_VERSION, OPSET_VERSION } from './graph.js';
import { inspectModel } from './inspect-model.js';
import { runModel } from './onnx-runtime.js';
import { loadOnnxRuntime, type OnnxRuntimeName } from './onnx-runtime-node.js';
import { checkModels } from './test-support/onnx-checker.js';

const layers: Record<string, LayerSpecInput> = {
  'full, 3×3 same': { inChannels: 3, outChannels: 8, kernelSize: 3, padding: 'same' },
  'low rank, groups, dilation, asymmetric padding, rectangular kernel and strides': {
    inChannels: 4,
    outChannels: 6,
    kernelSize: [3, 2],
    strides: [2, 1],
    dilation: [1, 2],
    padding: [1, 0, 2, 1],
    groups: 2,
    coefficients: { kind: 'lowRank', rank: 2 },
  },
  'depthwise, no bias, p ≠ F/2, same with stride 2': {
    inChannels: 4,
    outChannels: 8,
    kernelSize: 3,
    strides: 2,
    padding: 'same',
    groups: 4,
    useBias: false,
    primaryFilters: 3,
  },
};
const inputShape = [2, 0, 9, 8]; // channels filled in per layer

describe('exportLayer', () => {
  for (const [title, input] of Object.entries(layers)) {
    describe(title, () => {
      const spec = layerSpec(input);
      const weights = initialWeights(spec, createRandom(11));
      const shape = [inputShape[0], spec.inChannels, inputShape[2], inputShape[3]];
      const x = { shape, data: uniformArray(createRandom(12), shape[0] * shape[1] * shape[2] * shape[3], -1, 1) };
      const expected = linearConvForward(spec, weights, x);
      const models = {
        compact: exportLayer(spec, weights, { mode: 'compact', inputSize: [shape[2], shape[3]], filtersOutput: true }),
        folded: exportLayer(spec, weights, { mode: 'folded', inputSize: [shape[2], shape[3]], filtersOutput: true }),
      };

      it('passes the ONNX checker with full shape inference', () => {
        expect(checkModels(models).errors).toEqual({ compact: null, folded: null });
      });

      for (const mode of ['compact', 'folded'] as const) {
        for (const runtime of ['web', 'node'] as OnnxRuntimeName[]) {
          it(`${mode} on onnxruntime-${runtime} matches core's float64 reference`, async () => {
            const outputs = await runModel(await loadOnnxRuntime(runtime), models[mode], { input: x });
            expect(outputs.output.shape).toEqual(expected.shape);
            const output = compareArrays(outputs.output.data, expected.data, TOLERANCES.float32);
            expect(output.pass, output.reason).toBe(true);
            expect(outputs.filters.shape).toEqual(weightShapes(spec).filters);
            const filters = compareArrays(outputs.filters.data, composeFilters(spec, weights), TOLERANCES.float32);
            expect(filters.pass, filters.reason).toBe(true);
          });
        }
      }

      it('compact stores P and the coefficients, folded stores W', () => {
        const shapes = weightShapes(spec);
        const size = (s?: readonly number[]) => (s ? s.reduce((a, b) => a * b, 1) : 0);
        const stored = size(shapes.primary) + size(shapes.coefficients) + size(shapes.column) + size(shapes.row) + size(shapes.bias);
        const compact = inspectModel(models.compact);
        const folded = inspectModel(models.folded);
        expect(compact.params).toBe(stored);
        expect(folded.params).toBe(size(shapes.filters) + size(shapes.bias));
        const matMuls = spec.coefficients.kind === 'full' ? 1 : 2;
        expect(compact.operators).toEqual({ Reshape: 2, MatMul: matMuls, Concat: 1, Conv: 1 });
        expect(folded.operators).toEqual({ Conv: 1, Identity: 1 });
      });
    });
  }

  it('declares its interface: NCHW in and out, a dynamic batch and size by default, opset 17, IR 8', () => {
    const spec = layerSpec({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: [1, 1, 1, 1] });
    const info = inspectModel(exportLayer(spec, initialWeights(spec, createRandom(1))));
    expect(info).toMatchObject({
      irVersion: IR_VERSION,
      opsetVersion: OPSET_VERSION,
      inputs: [{ name: 'input', shape: ['batch', 3, 'height', 'width'] }],
      outputs: [{ name: 'output', shape: ['batch', 4, null, null] }],
      metadata: { 'linearconv.mode': 'compact', 'linearconv.layout': 'NCHW' },
    });
    expect([IR_VERSION, OPSET_VERSION]).toEqual([8, 17]);
    const fixed = inspectModel(exportLayer(spec, initialWeights(spec, createRandom(1)), { batch: 2, inputSize: [5, 7], inputName: 'x', outputName: 'y' }));
    expect(fixed.inputs).toEqual([{ name: 'x', shape: [2, 3, 5, 7] }]);
    expect(fixed.outputs).toEqual([{ name: 'y', shape: [2, 4, 5, 7] }]);
  });

  it('runs a dynamic-size export on several input sizes', async () => {
    const spec = layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 3, strides: 2, padding: [0, 1, 1, 0] });
    const weights = initialWeights(spec, createRandom(5));
    const ort = await loadOnnxRuntime('web');
    const model = exportLayer(spec, weights);
    expect(checkModels({ model }).errors).toEqual({ model: null });
    for (const [n, h, w] of [
      [1, 5, 5],
      [3, 8, 11],
    ]) {
      const x = { shape: [n, 2, h, w], data: uniformArray(createRandom(h * w), n * 2 * h * w, -1, 1) };
      const { output } = await runModel(ort, model, { input: x });
      const expected = linearConvForward(spec, weights, x);
      expect(output.shape).toEqual(expected.shape);
      expect(compareArrays(output.data, expected.data, TOLERANCES.float32).pass).toBe(true);
    }
  });

  it('refuses bad input with a LinearConvError naming the parameter', () => {
    const spec = layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 3, padding: 'same' });
    const weights = initialWeights(spec, createRandom(1));
    const cases: [() => unknown, string, RegExp][] = [
      [() => exportLayer(spec, weights), 'padding', /'same' padding needs a known input height and width/],
      [() => exportLayer(spec, weights, { inputSize: [4, 4], mode: 'fast' as never }), 'mode', /must be 'compact' or 'folded'/],
      [() => exportLayer(spec, weights, { inputSize: [4, 4], batch: 0 }), 'batch', /positive integer/],
      [() => exportLayer(spec, weights, { inputSize: [4, 0] }), 'inputSize[1]', /positive integer/],
      [() => exportLayer(spec, weights, { inputSize: [4, 4], inputName: 'my input' }), 'inputName', /identifier/],
      [() => exportLayer(spec, weights, { inputSize: [4, 4], outputName: 'filters', filtersOutput: true }), 'filtersOutput', /used twice/],
      [() => exportLayer(spec, { ...weights, primary: new Float32Array(3) }, { inputSize: [4, 4] }), 'weights.primary', /must hold 36 values/],
      [() => exportLayer({ ...spec, primaryFilters: 4 }, weights, { inputSize: [4, 4] }), 'primaryFilters', /1\.\.3/],
      [
        () => exportLayer(layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 5 }), initialWeights(layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 5 }), createRandom(1)), { inputSize: [4, 4] }),
        'kernelSize',
        /exceeds the padded input/,
      ],
    ];
    for (const [run, field, rule] of cases) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error, field).toBeInstanceOf(LinearConvError);
      expect((error as LinearConvError).field).toBe(field);
      expect((error as LinearConvError).rule).toMatch(rule);
    }
  });
});
