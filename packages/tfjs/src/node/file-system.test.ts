import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { linearConv2d } from '../linear-conv2d.js';
import { fileSystem } from './file-system.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** What the tests edit in a saved model.json. */
interface SavedJson {
  modelTopology?: unknown;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}
type Edit = (json: SavedJson, dir: string) => void;

const fresh = () => mkdtempSync(join(tmpdir(), 'linearconv-fs-'));

function smallModel() {
  return tf.sequential({
    layers: [
      linearConv2d({ filters: 6, kernelSize: 3, padding: 'same', inputShape: [8, 8, 2], coefficients: { kind: 'lowRank', rank: 2 } }),
      tf.layers.batchNormalization({}),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ],
  });
}

/** Bytes the weights take as float32, from the model itself: what weights.bin must hold. */
const float32Bytes = (model: tf.LayersModel) => model.getWeights().reduce((n, w) => n + 4 * w.size, 0);

async function savedModel() {
  const dir = fresh();
  const model = smallModel();
  await model.save(fileSystem(dir));
  return { dir, model };
}

describe('fileSystem', () => {
  it('saves the standard layout and loads it back: same weights, same predictions', async () => {
    const { dir, model } = await savedModel();
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(readFileSync(join(dir, 'weights.bin')).byteLength).toBe(float32Bytes(model));

    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 3);
    const expected = model.predict(x) as tf.Tensor;
    for (const path of [join(dir, 'model.json'), dir]) {
      const loaded = await tf.loadLayersModel(fileSystem(path));
      expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
      const [a, b] = [model.getWeights(), loaded.getWeights()];
      expect(b.map((w) => w.shape)).toEqual(a.map((w) => w.shape));
      for (let i = 0; i < a.length; i++) expect(b[i].dataSync()).toEqual(a[i].dataSync());
      const y = loaded.predict(x) as tf.Tensor;
      expect(y.dataSync()).toEqual(expected.dataSync());
      tf.dispose(y);
      loaded.dispose();
    }
    tf.dispose([x, expected]);
    model.dispose();
  });

  it('reads weights split over several files, as tfjs writes large models', async () => {
    const { dir, model } = await savedModel();
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bytes = readFileSync(join(dir, 'weights.bin'));
    const cut = 100;
    writeFileSync(join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, cut));
    writeFileSync(join(dir, 'group1-shard2of2.bin'), bytes.subarray(cut));
    json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    writeFileSync(join(dir, 'sharded.json'), JSON.stringify(json));
    const loaded = await tf.loadLayersModel(fileSystem(join(dir, 'sharded.json')));
    const [a, b] = [model.getWeights(), loaded.getWeights()];
    for (let i = 0; i < a.length; i++) expect(b[i].dataSync()).toEqual(a[i].dataSync());
    loaded.dispose();
    model.dispose();
  });

  it('saves into a directory it creates, and over an earlier save', async () => {
    const dir = join(fresh(), 'a', 'b');
    const model = smallModel();
    await model.save(fileSystem(dir));
    const result = await model.save(fileSystem(dir));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(float32Bytes(model));
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
    model.dispose();
  });

  /** A model.json beside a valid save, edited by `edit`; returns the path. */
  async function editedModelJson(edit: Edit) {
    const { dir, model } = await savedModel();
    model.dispose();
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    edit(json, dir);
    const file = join(dir, 'edited.json');
    writeFileSync(file, JSON.stringify(json));
    return file;
  }

  it.each([
    ['a weight path escaping the directory', (j: SavedJson) => (j.weightsManifest[0].paths = ['../../../../etc/hostname']), 'weightsManifest[0].paths[0]', /"\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname" is outside the directory of .*edited\.json/],
    ['an absolute weight path', (j: SavedJson) => (j.weightsManifest[0].paths = ['/etc/hostname']), 'weightsManifest[0].paths[0]', /"\/etc\/hostname" is outside the directory/],
    ['a weight path naming the directory itself', (j: SavedJson) => (j.weightsManifest[0].paths = ['.']), 'weightsManifest[0].paths[0]', /"\." is outside the directory/],
    ['a missing weight file', (j: SavedJson) => (j.weightsManifest[0].paths = ['gone.bin']), 'weightsManifest[0].paths[0]', /gone\.bin does not exist \(a weight file of .*edited\.json\)/],
    ['a weight path that is a directory', (j: SavedJson, dir: string) => { mkdirSync(join(dir, 'sub')); j.weightsManifest[0].paths = ['sub']; }, 'weightsManifest[0].paths[0]', /sub is not a regular file/],
    ['a non-string weight path', (j: SavedJson) => (j.weightsManifest[0].paths = [7] as never), 'weightsManifest[0].paths[0]', /must be a file name, got 7/],
    ['a manifest that is not an array', (j: SavedJson) => (j.weightsManifest = { paths: ['weights.bin'] } as never), 'weightsManifest', /must be an array/],
    ['a manifest group without paths', (j: SavedJson) => delete (j.weightsManifest[0] as { paths?: string[] }).paths, 'weightsManifest[0]', /must be \{ paths: string\[\], weights: \[\.\.\.\] \}/],
    ['a weight file shorter than the manifest says', (j: SavedJson) => j.weightsManifest[0].weights.push({ name: 'extra', shape: [5], dtype: 'float32' }), 'weightsManifest', /hold \d+ bytes; its manifest describes \d+/],
    ['no modelTopology', (j: SavedJson) => delete j.modelTopology, 'modelTopology', /has none: it is not a model\.json saved by tfjs$/],
  ])('refuses %s, naming it', async (_, edit, field, message) => {
    const file = await editedModelJson(edit as Edit);
    const error = await fileSystem(file).load!().catch((e) => e);
    expect(error).toMatchObject({ name: 'LinearConvError', field });
    expect(error.message).toMatch(message);
  });

  it('refuses files that are no model.json, before reading what it should not', async () => {
    const dir = fresh();
    const cases: [string, RegExp][] = [];
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ format: 'linearconv-case@1', name: 'x', layer: {} }));
    cases.push([join(dir, 'case.json'), /case\.json has none: it is not a model\.json saved by tfjs \(it is a linearconv conformance case file\)/]);
    writeFileSync(join(dir, 'broken.json'), '{"modelTopology": ');
    cases.push([join(dir, 'broken.json'), /broken\.json is not JSON \(/]);
    writeFileSync(join(dir, 'list.json'), '[1, 2]');
    cases.push([join(dir, 'list.json'), /list\.json has none/]);
    cases.push([join(dir, 'missing.json'), /missing\.json does not exist/]);
    mkdirSync(join(dir, 'empty'));
    cases.push([join(dir, 'empty'), /empty is a directory without a model\.json/]);
    symlinkSync(join(dir, 'nowhere.json'), join(dir, 'dangling.json'));
    cases.push([join(dir, 'dangling.json'), /dangling\.json does not exist/]);
    // A FIFO would block a read forever: it must be refused by its type.
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    cases.push([join(dir, 'fifo.json'), /fifo\.json is not a regular file/]);
    for (const [path, message] of cases) {
      const error = await fileSystem(path).load!().catch((e) => e);
      expect(error, path).toMatchObject({ name: 'LinearConvError' });
      expect(error.message, path).toMatch(message);
    }
  });

  it('refuses to save onto a file or into a path named *.json, and bad paths', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'file'), 'x');
    const model = smallModel();
    await expect(model.save(fileSystem(join(dir, 'file')))).rejects.toThrow(/file exists and is not a directory/);
    await expect(model.save(fileSystem(join(dir, 'model.json')))).rejects.toThrow(/saving writes a directory \(model\.json and weights\.bin in it\): give the directory/);
    await expect(model.save(fileSystem(join(dir, 'file', 'below')))).rejects.toMatchObject({ name: 'LinearConvError', field: 'path' });
    expect(existsSync(join(dir, 'model.json'))).toBe(false);
    for (const bad of ['', undefined, 3, null]) {
      expect(() => fileSystem(bad as never)).toThrow(/^path: must be a directory \(to save\) or a model\.json path \(to load\)/);
    }
    model.dispose();
  });
});
