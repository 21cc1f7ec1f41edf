import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinearConvError } from '@linearconv/core';
import { rejectionOf } from '@linearconv/test-support';
import { readTorchFile } from '@linearconv/torch/node';
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
// Written by scripts/torch/make_fixtures.py with the authors' classes and PyTorch (committed).
import { fixturesDir, patternInput } from '../../../torch/fixtures/pattern.js';
import { importTorchStateDict } from './import-state-dict.js';
import type { TorchStateDictLike, TorchTensorLike } from './state-dict.js';

interface Sidecar {
  input: { shape: number[]; first: number[] };
  logits: number[][];
  logits64: number[][];
  ranks?: number[];
}

const sidecar = (name: string): Sidecar => JSON.parse(readFileSync(join(fixturesDir, name), 'utf8'));

/** The model's logits for PyTorch's NCHW input, fed as NHWC. */
function logits(model: LayersModel, shape: number[]): number[][] {
  return tf.tidy(() => {
    const x = tf.transpose(tf.tensor(patternInput(shape), shape), [0, 2, 3, 1]);
    return (model.predict(x) as tf.Tensor).arraySync() as number[][];
  });
}

const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j]))));
const replaced = (sd: TorchStateDictLike, key: string, value: TorchTensorLike | number | undefined) => {
  const copy: Record<string, unknown> = { ...sd };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy as TorchStateDictLike;
};
const zeros = (shape: number[]) => ({ dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("importTorchStateDict: the authors' Base checkpoints (tfjs-cpu)", () => {
  const checkpoints = [
    ['base-conv.pt', 'base-conv', 0],
    ['base-full.pt', 'base-full', 4],
    ['base-lowrank.safetensors', 'base-lowRank', 4],
  ] as const;

  it.each(checkpoints)('%s: the logits match PyTorch within 1e-5', async (file, name, linearConvs) => {
    const meta = sidecar(file.replace(/\.(pt|safetensors)$/, '.json'));
    const model = await importTorchStateDict(await readTorchFile(join(fixturesDir, file)), { arch: 'base' });
    expect(model.name).toBe(name);
    const linear = model.layers.filter((l) => l.getClassName() === 'LinearConv2D');
    expect(linear).toHaveLength(linearConvs);
    if (meta.ranks) expect(linear.map((l) => (l.getConfig().coefficients as { rank: number }).rank)).toEqual(meta.ranks);
    expect(Array.from(patternInput(meta.input.shape).slice(0, 4))).toEqual(meta.input.first);
    const y = logits(model, meta.input.shape);
    expect(maxDiff(y, meta.logits)).toBeLessThan(1e-5);
    expect(maxDiff(y, meta.logits64)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('applies the mask: with it set to ones the logits move away from PyTorch', async () => {
    const sd = await readTorchFile(join(fixturesDir, 'base-full.pt'));
    const meta = sidecar('base-full.json');
    let unmasked = sd as TorchStateDictLike;
    for (const key of Object.keys(sd).filter((k) => k.endsWith('.mask'))) {
      const mask = sd[key] as TorchTensorLike;
      expect(Array.from(mask.data).some((v) => v === 0)).toBe(true);
      unmasked = replaced(unmasked, key, { ...mask, data: new Float32Array(mask.data.length).fill(1) });
    }
    const model = await importTorchStateDict(unmasked, { arch: 'base' });
    expect(maxDiff(logits(model, meta.input.shape), meta.logits)).toBeGreaterThan(1e-3);
    model.dispose();
  });
});

describe('importTorchStateDict refuses, by key, what does not fit', () => {
  let full: TorchStateDictLike;
  let lowRank: TorchStateDictLike;
  beforeAll(async () => {
    full = await readTorchFile(join(fixturesDir, 'base-full.pt'));
    lowRank = await readTorchFile(join(fixturesDir, 'base-lowrank.safetensors'));
  });
  const refusal = async (sd: TorchStateDictLike, options: Parameters<typeof importTorchStateDict>[1]) => {
    const before = tf.memory().numTensors;
    const error = await rejectionOf(importTorchStateDict(sd, options), LinearConvError);
    // The model built before the check is released.
    expect(tf.memory().numTensors).toBe(before);
    return error;
  };

  it('a shape mismatch names the key and both shapes', async () => {
    const e = await refusal(replaced(full, 'feat.1.0.conv_weights', zeros([32, 31, 3, 3])), { arch: 'base' });
    expect(e.message).toBe('feat.1.0.conv_weights: has shape [32,31,3,3] but conv2 (LinearConv2D) needs [32,32,3,3]');
    const channels = await refusal(full, { arch: 'base', inChannels: 1 });
    expect(channels.message).toBe('feat.0.0.conv_weights: has shape [16,3,3,3] but conv1 (LinearConv2D) needs [16,1,3,3]');
    const mask = await refusal(replaced(full, 'feat.0.0.mask', zeros([16, 15])), { arch: 'base' });
    expect(mask.message).toBe("feat.0.0.mask: has shape [16,15] but must match feat.0.0.linear_weights's [16,16]");
  });

  it('rank R = int(p · ratio) = 0 is refused', async () => {
    const zeroRank = replaced(replaced(lowRank, 'feat.0.0.column_weights', zeros([16, 0])), 'feat.0.0.row_weights', zeros([0, 16]));
    const e = await refusal(zeroRank, { arch: 'base' });
    expect(e.field).toBe('feat.0.0.column_weights');
    expect(e.rule).toMatch(/^has shape \[16,0\]: rank R = int\(p · ratio\) = 0/);
    expect((await refusal(lowRank, { arch: 'base', rank: 8 })).message).toBe('feat.1.0.column_weights: has shape [32,16] but rank 8 needs [32, 8]');
  });

  it('another architecture, variant or a mixed checkpoint is refused', async () => {
    expect((await refusal(full, { arch: 'vgg11' })).field).toBe('feat.2.3.weight');
    expect((await refusal(full, { arch: 'base', variant: 'lowRank' })).message).toMatch(/^variant: is "lowRank" but the checkpoint holds full weights/);
    const mixed = replaced(replaced(replaced(full, 'feat.1.0.conv_weights', undefined), 'feat.1.0.linear_weights', undefined), 'feat.1.0.weight', zeros([64, 32, 3, 3]));
    expect((await refusal(mixed, { arch: 'base' })).message).toBe('feat.1.0: is stored as conv but feat.0.0 as full: one checkpoint holds one variant');
    expect((await refusal(full, { arch: 'alexnet' })).field).toBe('arch');
  });

  it('unused and malformed entries are refused; the state dict is left as it was', async () => {
    const extra = await refusal(replaced(full, 'extra.weight', zeros([2])), { arch: 'base' });
    expect(extra.message).toBe('extra.weight: is not used by any layer (1 unused key: extra.weight)');
    expect((await refusal(replaced(full, 'feat.0.0.bias', 3), { arch: 'base' })).message).toBe('feat.0.0.bias: must be a tensor, got 3');
    const before = Array.from((full['fc.weight'] as TorchTensorLike).data);
    const model = await importTorchStateDict(full, { arch: 'base' });
    expect(Array.from((full['fc.weight'] as TorchTensorLike).data)).toEqual(before);
    model.dispose();
  });
});
