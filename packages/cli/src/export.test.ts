import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectModel, loadOnnxRuntime, runModel } from '@linearconv/onnx/node';
import { linearConv2d } from '@linearconv/tfjs';
import { fileSystem } from '@linearconv/tfjs/node';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { partialInstall } from './test-support/partial-install.js';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/linearconv.js');
const spawnCli = (...argv: string[]) => spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', timeout: 120_000 });

/** A small model with every kind of weight the exporter carries, set to seeded values (variances positive). */
function trainedLookingModel() {
  const model = tf.sequential({
    layers: [
      linearConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [10, 10, 3] }),
      tf.layers.batchNormalization({}),
      linearConv2d({ filters: 6, kernelSize: 3, strides: 2, coefficients: { kind: 'lowRank', rank: 2 } }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4 }),
    ],
  });
  const values = model.weights.map((w, i) => {
    const shape = w.shape as number[];
    return w.name.includes('variance') ? tf.randomUniform(shape, 0.5, 1.5, 'float32', i) : tf.randomNormal(shape, 0, 0.5, 'float32', i);
  });
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

describe('linearconv export', () => {
  it('exports a zoo model, compact about half the size of folded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    const sizes: Record<string, number> = {};
    for (const mode of ['compact', 'folded']) {
      const out = join(dir, `base-${mode}.onnx`);
      const { code, out: printed } = await cli('export', '--model', 'base', '--variant', 'full', '--mode', mode, '--out', out);
      expect(code).toBe(0);
      expect(printed).toMatch(new RegExp(`${out}: [\\d.]+ KiB, \\d+ stored values \\(${mode}`));
      sizes[mode] = readFileSync(out).byteLength;
      expect(inspectModel(readFileSync(out)).inputs[0].name).toBe('input');
    }
    expect(sizes.compact / sizes.folded).toBeLessThan(0.6);
  });

  it('as a real process, exports what fileSystem saved; the ONNX model predicts what tfjs does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    const model = trainedLookingModel();
    await model.save(fileSystem(join(dir, 'saved')));
    const x = tf.randomNormal([2, 10, 10, 3], 0, 1, 'float32', 7);
    const prediction = model.predict(x) as tf.Tensor;
    const expected = prediction.dataSync() as Float32Array;
    const ort = await loadOnnxRuntime('node');
    for (const mode of ['compact', 'folded']) {
      const out = join(dir, `${mode}.onnx`);
      const run = spawnCli('export', join(dir, 'saved', 'model.json'), '--mode', mode, '--out', out);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^${out}: [\\d.]+ KiB, \\d+ stored values \\(${mode}`));
      const bytes = readFileSync(out);
      const info = inspectModel(bytes);
      if (mode === 'compact') expect(info.params).toBe(model.countParams());
      const outputs = await runModel(ort, bytes, { [info.inputs[0].name]: { shape: x.shape, data: x.dataSync() as Float32Array } });
      const actual = Object.values(outputs)[0];
      expect(actual.shape).toEqual([2, 4]);
      const error = Math.max(...actual.data.map((v, i) => Math.abs(v - expected[i])));
      expect(error, mode).toBeLessThan(1e-4);
    }
    tf.dispose([x, prediction]);
    model.dispose();
  });

  it.each([
    [['export', '--model', 'base', '--mode', 'compact'], /--out FILE.onnx is required/],
    [['export', '--model', 'base', '--mode', 'tiny', '--out', 'never.onnx'], /--mode must be compact or folded/],
    [['export', '--mode', 'compact', '--out', 'never.onnx'], /give a model.json path or --model NAME/],
    [['export', '--model', 'alexnet', '--mode', 'compact', '--out', 'never.onnx'], /model: must be one of base/],
  ])('rejects %j with exit 2, writing nothing', async (argv, message) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(existsSync('never.onnx')).toBe(false);
  });
});

describe('linearconv export without its optional packages', () => {
  it('names @linearconv/onnx when it is not installed', () => {
    const run = partialInstall([])('export', '--model', 'base', '--mode', 'compact', '--out', 'never.onnx');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('linearconv export: ONNX export: needs @linearconv/onnx, which is not installed (npm install @linearconv/onnx)\n');
  });

  it('names the tfjs backend a model.json needs when it is not installed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    const model = trainedLookingModel();
    await model.save(fileSystem(dir));
    model.dispose();
    const install = partialInstall(['@linearconv/onnx', '@linearconv/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']);
    const run = install('export', join(dir, 'model.json'), '--mode', 'compact', '--out', join(dir, 'never.onnx'));
    expect(run.stderr).toBe(
      'linearconv export: reading a model.json: needs @tensorflow/tfjs-backend-cpu, which is not installed (npm install @tensorflow/tfjs-backend-cpu)\n',
    );
    expect(run.status).toBe(2);
    expect(existsSync(join(dir, 'never.onnx'))).toBe(false);
  });
});
