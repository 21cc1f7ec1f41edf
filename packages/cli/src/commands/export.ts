import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ZooVariant, zooModels } from '@linearconv/core';
import { adapter } from '../backends.js';
import { EXIT, type Io, UsageError } from '../io.js';

export const exportUsage = `linearconv export <model.json | --model ${zooModels.join('|')} [--variant conv|full|lowrank] [--rank R]> --mode compact|folded --out FILE.onnx [--batch N]

Exports a TensorFlow.js model (a model.json saved by model.save, with its weight files beside
it) or one of the paper's models to ONNX: compact (primaries and coefficients stored, the graph
composes the filters) or folded (plain Conv). Prints the file size and the parameter count.`;

const variants: Record<string, ZooVariant> = { conv: 'conv', full: 'full', lowrank: 'lowRank' };

export async function exportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      variant: { type: 'string', default: 'full' },
      rank: { type: 'string' },
      mode: { type: 'string' },
      out: { type: 'string' },
      batch: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if ((positionals.length === 1) === (values.model !== undefined) || positionals.length > 1) {
    throw new UsageError('give a model.json path or --model NAME (one of them)');
  }
  if (values.mode !== 'compact' && values.mode !== 'folded') throw new UsageError(`--mode must be compact or folded, got ${JSON.stringify(values.mode)}`);
  if (!values.out) throw new UsageError('--out FILE.onnx is required');
  const variant = variants[values.variant.toLowerCase()];
  if (!variant) throw new UsageError(`--variant must be one of conv, full, lowrank, got "${values.variant}"`);
  const positive = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got "${text}"`);
    return n;
  };
  const rank = positive('rank', values.rank);
  const batch = positive('batch', values.batch);

  const onnx = await adapter('@linearconv/onnx', () => import('@linearconv/onnx'));
  const source = positionals[0]
    ? { model: await loadModelJson(positionals[0]) }
    : { zoo: { name: values.model!, variant, ...(rank !== undefined && { rank }) } };
  const result = await onnx.exportToFile({ ...source, mode: values.mode, out: values.out, ...(batch !== undefined && { batch }) });
  io.out(`${result.path}: ${(result.bytes.byteLength / 1024).toFixed(1)} KiB, ${result.params} stored values (${values.mode}; batch norm statistics included)`);
  return EXIT.ok;
}

/** A model saved by tfjs's model.save: model.json plus the weight files its manifest names. */
async function loadModelJson(path: string) {
  const tf = await adapter('@tensorflow/tfjs-layers', () => import('@tensorflow/tfjs-layers'));
  const core = await adapter('@tensorflow/tfjs-core', () => import('@tensorflow/tfjs-core'));
  // LinearConv2D and GroupedConv2D must be registered before the topology is read.
  await adapter('@linearconv/tfjs', () => import('@linearconv/tfjs'));
  let json: { modelTopology: object; weightsManifest?: { paths: string[]; weights: object[] }[] };
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path}: cannot read a model.json (${(e as Error).message})`);
  }
  const manifest = json.weightsManifest ?? [];
  const buffers = await Promise.all(manifest.flatMap((group) => group.paths.map((p) => readFile(join(dirname(path), p)))));
  const weightData = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    weightData.set(b, offset);
    offset += b.byteLength;
  }
  const weightSpecs = manifest.flatMap((group) => group.weights) as never;
  return tf.loadLayersModel(core.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: weightData.buffer }));
}
