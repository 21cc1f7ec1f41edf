import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zooModels } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
// The six models' state_dicts are too large to commit (~200 MB): each manifest lists the authors'
// keys and shapes and PyTorch's logits for the deterministic weights pattern.js regenerates.
import { fixturesDir, manifestStateDict, patternInput, type TorchManifest } from '../../../torch/fixtures/pattern.js';
import { importTorchStateDict } from './import-state-dict.js';

beforeAll(async () => {
  // wasm: the large models run in seconds here, against minutes on tfjs-cpu.
  await tf.setBackend('wasm');
});

const cases = zooModels.flatMap((arch) => (['conv', 'full', 'lowRank'] as const).map((variant) => [arch, variant] as const));

describe("importTorchStateDict: the six architectures in the authors' key layout (tfjs-wasm)", () => {
  it.each(cases)('%s %s: imports, and the logits match PyTorch', async (arch, variant) => {
    const manifest = JSON.parse(readFileSync(join(fixturesDir, 'manifests', `${arch}-${variant}.json`), 'utf8')) as TorchManifest;
    const stateDict = manifestStateDict(manifest);
    const model = await importTorchStateDict(stateDict, { arch });
    expect(model.name).toBe(`${arch}-${variant}`);
    // Every xCNN / xCNNlow of theirs is a LinearConv2D here; their plain convs stay Conv2D.
    const converted = manifest.keys.filter((k) => k.key.endsWith('.conv_weights')).length;
    expect(model.layers.filter((l) => l.getClassName() === 'LinearConv2D')).toHaveLength(converted);
    const y = tf.tidy(() => {
      const x = tf.transpose(tf.tensor(patternInput(manifest.input.shape), [...manifest.input.shape]), [0, 2, 3, 1]);
      return (model.predict(x) as tf.Tensor).arraySync() as number[][];
    });
    model.dispose();
    const scale = Math.max(1, ...manifest.logits64.flat().map(Math.abs));
    const diff = (reference: number[][]) => Math.max(...y.flatMap((row, i) => row.map((v, j) => Math.abs(v - reference[i][j]))));
    // float32 accumulation differences only: relative to the largest logit (MobileNetV2's reach ~600).
    expect(diff(manifest.logits64)).toBeLessThan(1e-5 * scale);
    expect(diff(manifest.logits)).toBeLessThan(1e-5 * scale);
  });
});
