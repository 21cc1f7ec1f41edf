import { parseArgs } from 'node:util';
import { LinearConvError, zooModels } from '@linearconv/core';
import { adapter, ensureTfjsBackend } from '../backends.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { parsePositive, parseVariant } from '../args.js';
import { checkOutFile, outFileError } from '../out-file.js';

export const exportUsage = `linearconv export <model.json | --model ${zooModels.join('|')} [--variant conv|full|lowrank] [--rank R]> --mode compact|folded --out FILE.onnx [--batch N]

Exports a TensorFlow.js model (a model.json saved with model.save, e.g. through fileSystem(dir)
of @linearconv/tfjs/node, with the weight files beside it) or one of the paper's models to ONNX:
compact (primaries and coefficients stored, the graph composes the filters) or folded (plain
Conv). Prints the file size and the parameter count. Needs @linearconv/onnx, and for a
model.json @linearconv/tfjs and @tensorflow/tfjs-backend-cpu. Exit status: 0 written; 2 bad
arguments, an unreadable model.json or weights, a layer ONNX export does not support, an
unwritable --out, a missing package (nothing is written).`;


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
  const variant = parseVariant(values.variant);
  const rank = parsePositive('rank', values.rank);
  const batch = parsePositive('batch', values.batch);
  const out = values.out;
  await checkOutFile('--out', out);

  const onnx = await adapter('@linearconv/onnx', () => import('@linearconv/onnx/node'), 'ONNX export');
  const tf = await adapter('@tensorflow/tfjs-core', () => import('@tensorflow/tfjs-core'), 'ONNX export');
  // Production mode only silences tfjs's console notes ("install tfjs-node…"): stderr stays ours.
  tf.env().set('PROD', true);
  const model = positionals[0] ? await loadModelJson(positionals[0]) : undefined;
  const source = model ? { model } : { zoo: { name: values.model!, variant, ...(rank !== undefined && { rank }) } };
  try {
    const result = await onnx.exportToFile({ ...source, mode: values.mode, out, ...(batch !== undefined && { batch }) });
    io.out(`${result.path}: ${(result.bytes.byteLength / 1024).toFixed(1)} KiB, ${result.params} stored values (${values.mode}; batch norm statistics included)`);
  } catch (e) {
    throw outFileError('--out', out, e);
  } finally {
    model?.dispose();
  }
  return EXIT.ok;
}

/** A model saved by tfjs's model.save: model.json and the weight files its manifest names. */
async function loadModelJson(path: string) {
  const feature = 'reading a model.json';
  const layers = await adapter('@tensorflow/tfjs-layers', () => import('@tensorflow/tfjs-layers'), feature);
  // Registers LinearConv2D and GroupedConv2D, which the topology may name.
  await adapter('@linearconv/tfjs', () => import('@linearconv/tfjs'), feature);
  const { fileSystem } = await adapter('@linearconv/tfjs', () => import('@linearconv/tfjs/node'), feature);
  await ensureTfjsBackend(feature);
  try {
    return await layers.loadLayersModel(fileSystem(path));
  } catch (e) {
    if (e instanceof LinearConvError) throw e;
    // tfjs-layers refusing the topology: the model file is the bad input.
    const message = (e as Error).message ?? String(e);
    const unknown = /^Unknown layer: ([^.\s]+)/.exec(message)?.[1];
    if (unknown) {
      throw new UsageError(`${path}: unknown layer class "${unknown}" (known: tfjs's own layers, LinearConv2D and GroupedConv2D)`);
    }
    throw new UsageError(`${path}: tfjs cannot load this model (${message.split('\n')[0]})`);
  }
}
