import '@tensorflow/tfjs-backend-cpu';
import { type ZooVariant, zooModels } from '@linearconv/core';
import { zooModel } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from './export-model.js';
import { inspectModel } from './inspect-model.js';
import { loadOnnxRuntime } from './onnx-runtime-node.js';
import { type FloatTensor, runModel } from './onnx-runtime.js';
import { checkModels } from './test-support/onnx-checker.js';
import { setSeededWeights } from './test-support/seeded-weights.js';
import { expectSameOutputs, foldedParams, seededInput, tfjsOutputs } from './test-support/tfjs-outputs.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const variants: ZooVariant[] = ['conv', 'full', 'lowRank'];
const sizes = new Map<string, { compact: number; folded: number }>();

// The paper's six models in each variant (Conv, -Lr, -LRr with R = 10), seeded weights, batch 1:
// both exports pass the checker and give tfjs-cpu's outputs on onnxruntime-web (wasm) and
// onnxruntime-node, so compact and folded agree with each other too.
describe('zoo models', () => {
  for (const name of zooModels) {
    for (const variant of variants) {
      // One model per describe, its checks as separate tests, so none nears the timeout on 2 cores.
      describe(`${name} ${variant}`, () => {
        let model: LayersModel;
        let x: FloatTensor;
        let expected: FloatTensor[];
        let compact: Uint8Array;
        let folded: Uint8Array;
        beforeAll(() => {
          model = zooModel(name, { variant });
          setSeededWeights(model, 1);
          x = seededInput(model, 1, 2);
          expected = tfjsOutputs(model, x);
          compact = exportModel(model, { mode: 'compact' });
          folded = exportModel(model, { mode: 'folded' });
          sizes.set(`${name}-${variant}`, { compact: compact.byteLength, folded: folded.byteLength });
        }, 120_000);
        afterAll(() => model?.dispose());

        it('compact and folded pass the checker, and store the parameters they should', () => {
          expect(checkModels({ compact, folded }).errors).toEqual({ compact: null, folded: null });
          expect(inspectModel(compact).params).toBe(model.countParams());
          expect(inspectModel(folded).params).toBe(foldedParams(model));
        });

        it.each(['web', 'node'] as const)('compact and folded match tfjs on onnxruntime-%s', async (runtime) => {
          const ort = await loadOnnxRuntime(runtime);
          const fromCompact = (await runModel(ort, compact, { input: x })).output;
          const fromFolded = (await runModel(ort, folded, { input: x })).output;
          expectSameOutputs([fromCompact], expected, `compact on onnxruntime-${runtime}`);
          expectSameOutputs([fromFolded], expected, `folded on onnxruntime-${runtime}`);
          expectSameOutputs([fromCompact], [fromFolded], `compact against folded on onnxruntime-${runtime}`);
        });
      });
    }
  }

  it('compact files of LinearConv models are smaller; VGG11-Lr compact is about half of VGG11', () => {
    expect(sizes.size).toBe(zooModels.length * variants.length);
    for (const name of zooModels) {
      const conv = sizes.get(`${name}-conv`)!;
      // Without LinearConv layers the two modes write the same graph: only the mode's name
      // (in the doc string and the metadata) differs.
      expect(conv.compact - conv.folded).toBe(2 * ('compact'.length - 'folded'.length));
      for (const variant of ['full', 'lowRank']) {
        const s = sizes.get(`${name}-${variant}`)!;
        expect(Math.abs(s.folded - conv.folded) / conv.folded, `${name}-${variant} folded is the Conv model's size`).toBeLessThan(0.001);
        // MobileNetV2-Lr grows (its depthwise convs gain coefficients): the paper's 3.92 M against 2.30 M.
        if (!(name === 'mobilenetv2' && variant === 'full')) expect(s.compact, `${name}-${variant}`).toBeLessThan(s.folded);
      }
    }
    const ratio = sizes.get('vgg11-full')!.compact / sizes.get('vgg11-conv')!.folded;
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.6);
  });
});
