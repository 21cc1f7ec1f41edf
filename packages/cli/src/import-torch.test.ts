import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinearConvError, zooModels } from '@linearconv/core';
import { inspectModel } from '@linearconv/onnx';
import { fileSystem } from '@linearconv/tfjs/node';
import { rejectionOf } from '@linearconv/test-support';
import * as tf from '@tensorflow/tfjs';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Checkpoints of the authors' Base written by scripts/torch/make_fixtures.py with PyTorch, and its logits.
import { fixturesDir, manifestStateDict, type PatternTensor, patternInput, type TorchManifest } from '../../torch/fixtures/pattern.js';
import { importTorchCommand } from './commands/import-torch.js';
import { UsageError } from './io.js';

const checkpoints = ['base-conv.pt', 'base-full.pt', 'base-lowrank.safetensors'];
const sidecar = (file: string) =>
  JSON.parse(readFileSync(join(fixturesDir, file.replace(/\.(pt|safetensors)$/, '.json')), 'utf8')) as { input: { shape: number[] }; logits: number[][] };
const nchwToNhwc = (data: Float32Array, [n, c, h, w]: number[]) => tf.tidy(() => tf.transpose(tf.tensor(data, [n, c, h, w]), [0, 2, 3, 1]).dataSync() as Float32Array);
const maxDiff = (y: ArrayLike<number>, expected: number[][]) => Math.max(...expected.flat().map((v, i) => Math.abs(v - y[i])));

async function run(...argv: string[]) {
  let out = '';
  const code = await importTorchCommand(argv, { out: (t) => (out += `${t}\n`), err: () => {} });
  return { code, out };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// The large checkpoints written below are tens of MB each: removed when done.
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'import-torch-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A .safetensors file of float32 tensors (the layout: u64 header length, JSON header, data). */
function writeSafetensors(path: string, tensors: Record<string, PatternTensor>) {
  const header: Record<string, object> = {};
  let offset = 0;
  for (const [key, t] of Object.entries(tensors)) {
    header[key] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) {
    bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  writeFileSync(path, bytes);
}

describe('linearconv import-torch', () => {
  it.each(checkpoints)('%s → a tfjs model directory, NHWC and NCHW, with PyTorch’s logits within 1e-5 (tfjs-cpu)', async (file) => {
    const meta = sidecar(file);
    const dir = tempDir();
    const x = patternInput(meta.input.shape);
    for (const layout of ['nhwc', 'nchw']) {
      const out = join(dir, layout);
      const { code, out: printed } = await run(join(fixturesDir, file), '--arch', 'base', '--out', out, '--layout', layout);
      expect(code).toBe(0);
      expect(printed).toMatch(new RegExp(`TensorFlow.js model \\(model.json \\+ weights.bin, ${layout.toUpperCase()} input\\), base-`));
      const model = await tf.loadLayersModel(fileSystem(join(out, 'model.json')));
      const [n, c, h, w] = meta.input.shape;
      const input = layout === 'nchw' ? tf.tensor(x, [n, c, h, w]) : tf.tensor(nchwToNhwc(x, meta.input.shape), [n, h, w, c]);
      const y = model.predict(input) as tf.Tensor;
      expect(maxDiff(y.dataSync(), meta.logits)).toBeLessThan(1e-5);
      tf.dispose([input, y]);
      model.dispose();
    }
  });

  it.each(checkpoints)('%s → ONNX, compact and folded, NHWC and NCHW, with PyTorch’s logits within 1e-4 (onnxruntime-node and -web)', async (file) => {
    const meta = sidecar(file);
    const dir = tempDir();
    const x = patternInput(meta.input.shape);
    const [n, c, h, w] = meta.input.shape;
    for (const mode of ['compact', 'folded']) {
      for (const layout of ['nhwc', 'nchw']) {
        const out = join(dir, `${mode}-${layout}.onnx`);
        const { code, out: printed } = await run(join(fixturesDir, file), '--arch', 'base', '--out', out, '--mode', mode, '--layout', layout);
        expect(code).toBe(0);
        expect(printed).toContain(`ONNX (${mode}, ${layout.toUpperCase()} input)`);
        const bytes = readFileSync(out);
        const dims = layout === 'nchw' ? ['batch', c, h, w] : ['batch', h, w, c];
        expect(inspectModel(bytes).inputs[0].shape).toEqual(dims);
        const data = layout === 'nchw' ? x : nchwToNhwc(x, meta.input.shape);
        for (const ort of [ortNode, ortWeb] as const) {
          const session = await ort.InferenceSession.create(bytes);
          const result = await session.run({ input: new ort.Tensor('float32', data, [n, ...(dims.slice(1) as number[])]) });
          expect(maxDiff(result.output.data as Float32Array, meta.logits), `${mode} ${layout} ${ort === ortNode ? 'node' : 'web'}`).toBeLessThan(1e-4);
          await session.release();
        }
      }
    }
  });

  it('refuses bad arguments and checkpoints that do not fit, writing nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'never');
    const ckpt = join(fixturesDir, 'base-full.pt');
    const usage = async (argv: string[], message: RegExp) => expect((await rejectionOf(run(...argv), UsageError)).message).toMatch(message);
    await usage([ckpt, '--out', out], /--arch is required/);
    await usage([ckpt, '--arch', 'base'], /--out DIR .* is required/);
    await usage([ckpt, '--arch', 'base', '--out', out, '--layout', 'chw'], /--layout must be nhwc or nchw/);
    await usage([ckpt, '--arch', 'base', '--out', out, '--mode', 'folded'], /--mode applies to an ONNX file/);
    await usage([ckpt, '--arch', 'base', '--out', out, '--classes', '0'], /--classes must be a positive integer/);
    const wrongArch = await rejectionOf(run(ckpt, '--arch', 'vgg11', '--out', out), LinearConvError);
    expect(wrongArch.field).toBe('feat.2.3.weight');
    const classes = await rejectionOf(run(ckpt, '--arch', 'base', '--classes', '100', '--out', out), LinearConvError);
    expect(classes.message).toBe('fc.weight: has shape [10,1024] but fc (Dense) needs [100,1024]');
    const module = await rejectionOf(run(join(fixturesDir, 'module-pickle.pt'), '--arch', 'base', '--out', out), LinearConvError);
    expect(module.rule).toMatch(/^pickles __main__\.TinyNet/);
    expect(existsSync(out)).toBe(false);
  });

  const architectures = zooModels.flatMap((arch) => (['conv', 'full', 'lowRank'] as const).map((variant) => [arch, variant] as const));
  it.each(architectures)("%s %s in the authors' key layout → ONNX with NCHW input, PyTorch's logits (onnxruntime-node)", async (arch, variant) => {
    // The manifest's deterministic weights (see packages/torch/fixtures), as a checkpoint file.
    const manifest = JSON.parse(readFileSync(join(fixturesDir, 'manifests', `${arch}-${variant}.json`), 'utf8')) as TorchManifest;
    const dir = tempDir();
    const ckpt = join(dir, `${arch}.safetensors`);
    writeSafetensors(ckpt, manifestStateDict(manifest));
    const out = join(dir, `${arch}.onnx`);
    const mode = variant === 'conv' ? 'folded' : 'compact';
    expect((await run(ckpt, '--arch', arch, '--out', out, '--mode', mode, '--layout', 'nchw')).code).toBe(0);
    const session = await ortNode.InferenceSession.create(readFileSync(out));
    const shape = [...manifest.input.shape];
    const result = await session.run({ input: new ortNode.Tensor('float32', patternInput(shape), shape) });
    await session.release();
    const scale = Math.max(1, ...manifest.logits64.flat().map(Math.abs));
    expect(maxDiff(result.output.data as Float32Array, manifest.logits64)).toBeLessThan(1e-5 * scale);
    expect(maxDiff(result.output.data as Float32Array, manifest.logits)).toBeLessThan(1e-5 * scale);
  });
});
