import { LinearConvError, type ZooVariant } from '@linearconv/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ExportMode } from './conv.js';
import { type ExportModelOptions, exportModel } from './export-model.js';
import { inspectModel } from './inspect-model.js';

export interface ExportToFileOptions extends ExportModelOptions {
  /** The model to export; or `zoo`. */
  readonly model?: LayersModel;
  /** One of the paper's models, built by @linearconv/tfjs's zooModel (weights: tfjs's initialisers). */
  readonly zoo?: { readonly name: string; readonly variant?: ZooVariant; readonly rank?: number };
  readonly mode?: ExportMode;
  /** Where to write the .onnx file; omitted: nothing is written. */
  readonly out?: string;
}

export interface ExportedFile {
  readonly bytes: Uint8Array;
  /** Float values stored as weights (inspectModel's `params`). */
  readonly params: number;
  /** The file written, when `out` was given. */
  readonly path?: string;
}

/**
 * The programmatic entry of `linearconv export`: exports `model` (or a zoo model) and writes it
 * to `out`. The file is written only once the export succeeded, through a temporary file, so an
 * error leaves nothing behind.
 */
export async function exportToFile(options: ExportToFileOptions): Promise<ExportedFile> {
  const { model, zoo, out, ...exportOptions } = options;
  if ((model === undefined) === (zoo === undefined)) {
    throw new LinearConvError('model', 'give exactly one of model and zoo');
  }
  const built = model ?? (await buildZooModel(zoo!));
  let bytes: Uint8Array;
  try {
    bytes = exportModel(built, exportOptions);
  } finally {
    if (!model) built.dispose();
  }
  const { params } = inspectModel(bytes);
  if (out === undefined) return { bytes, params };
  return { bytes, params, path: await writeModelFile(out, bytes) };
}

/** Writes `bytes` to `path` (through a temporary file renamed into place); returns the absolute path. */
export async function writeModelFile(path: string, bytes: Uint8Array): Promise<string> {
  if (typeof path !== 'string' || path === '') throw new LinearConvError('out', `must be a file path, got ${JSON.stringify(path)}`);
  // Imported here so that the rest of the package runs in browsers too.
  const { rename, writeFile, rm } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  const target = resolve(path);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, target);
  } catch (e) {
    await rm(temporary, { force: true });
    throw e;
  }
  return target;
}

async function buildZooModel(zoo: NonNullable<ExportToFileOptions['zoo']>): Promise<LayersModel> {
  const tfjs = (await importOptional('@linearconv/tfjs')) as typeof import('@linearconv/tfjs');
  const tf = (await importOptional('@tensorflow/tfjs-core')) as typeof import('@tensorflow/tfjs-core');
  // zooModel builds weights on a tfjs backend; the cpu backend unless the caller set one up.
  if (Object.keys(tf.engine().registryFactory).length === 0) await importOptional('@tensorflow/tfjs-backend-cpu');
  return tfjs.zooModel(zoo.name, { variant: zoo.variant, rank: zoo.rank });
}

async function importOptional(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch (e) {
    throw new Error(`${name} is needed to export a zoo model and is not installed (${(e as Error).message.split('\n')[0]})`);
  }
}
