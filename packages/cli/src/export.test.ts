import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectModel } from '@linearconv/onnx';
import { linearConv2d } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
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

  it('exports a model.json saved by tfjs, LinearConv2D layers included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    const model = tf.sequential({ layers: [linearConv2d({ filters: 6, kernelSize: 3, inputShape: [8, 8, 2] }), tf.layers.flatten(), tf.layers.dense({ units: 3 })] });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
        const manifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }];
        writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: manifest }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const out = join(dir, 'model.onnx');
    const { code } = await cli('export', join(dir, 'model.json'), '--mode', 'compact', '--out', out);
    expect(code).toBe(0);
    expect(inspectModel(readFileSync(out)).params).toBe(model.countParams());
  });

  it.each([
    [['export', '--model', 'base', '--mode', 'compact'], /--out FILE.onnx is required/],
    [['export', '--model', 'base', '--mode', 'tiny', '--out', 'x.onnx'], /--mode must be compact or folded/],
    [['export', '--mode', 'compact', '--out', 'x.onnx'], /give a model.json path or --model NAME/],
    [['export', '--model', 'alexnet', '--mode', 'compact', '--out', 'never.onnx'], /model: must be one of base/],
  ])('rejects %j with exit 2, writing nothing', async (argv, message) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(existsSync('never.onnx')).toBe(false);
  });
});
