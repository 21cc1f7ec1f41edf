import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinearConvError, modelAccount, zooModel as zooGraph } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { input, layers, model } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportToFile } from './export-to-file.js';
import { inspectModel } from './inspect-model.js';

const dir = mkdtempSync(join(tmpdir(), 'linearconv-export-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exportToFile', () => {
  it('exports a zoo model to a file and reports its parameters', async () => {
    const out = join(dir, 'base-lr.onnx');
    const result = await exportToFile({ zoo: { name: 'base', variant: 'lowRank', rank: 10 }, mode: 'compact', out });
    expect(result.path).toBe(out);
    expect(readFileSync(out)).toEqual(Buffer.from(result.bytes));
    // The trainable parameters (the paper's count, core's accounting) plus the batch norms' statistics.
    const graph = zooGraph('base', { variant: 'lowRank', rank: 10 });
    const statistics = graph.nodes.reduce((sum, n) => sum + (n.op === 'batchNorm' ? 2 * n.channels : 0), 0);
    expect(result.params).toBe(modelAccount(graph.nodes).total.params + statistics);
    expect(inspectModel(result.bytes).metadata['linearconv.mode']).toBe('compact');
  });

  it('returns the bytes without writing when no path is given', async () => {
    const x = input({ shape: [4, 4, 1] });
    const m = model({ inputs: x, outputs: layers.flatten().apply(x) as never });
    const result = await exportToFile({ model: m, mode: 'folded' });
    expect(result.path).toBeUndefined();
    expect(result.params).toBe(0);
    expect(inspectModel(result.bytes).operators).toEqual({ Transpose: 1, Flatten: 1 });
  });

  it('writes nothing when the export fails', async () => {
    const out = join(dir, 'refused.onnx');
    const x = input({ shape: [4, 4, 1] });
    const m = model({ inputs: x, outputs: layers.upSampling2d({ name: 'up' }).apply(x) as never });
    await expect(exportToFile({ model: m, out })).rejects.toThrow(LinearConvError);
    await expect(exportToFile({ zoo: { name: 'lenet' }, out })).rejects.toThrow(/^model: must be one of base, vgg11/);
    await expect(exportToFile({ out })).rejects.toThrow(/^model: give exactly one of model and zoo/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('refused'))).toEqual([]);
  });
});
