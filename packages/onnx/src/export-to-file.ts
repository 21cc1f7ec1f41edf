import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { describe, LinearConvError, MissingDependencyError, requireObject, requireOptions, type ZooVariant } from '@linearconv/core';
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
  requireObject('options', options, '{ model | zoo, mode, out, … }');
  const { model, zoo, out, ...exportOptions } = requireOptions('options', options, ['model', 'zoo', 'out', 'mode', 'batch', 'inputNames', 'outputNames', 'layout']);
  if ((model === undefined) === (zoo === undefined)) {
    throw new LinearConvError('model', 'give exactly one of model and zoo');
  }
  if (zoo !== undefined) requireObject('zoo', zoo, '{ name, variant, rank }');
  // Checked before the export, which may take a while.
  const target = out === undefined ? undefined : await writableTarget('out', out);
  const built = model ?? (await buildZooModel(zoo!));
  let bytes: Uint8Array;
  try {
    bytes = exportModel(built, exportOptions);
  } finally {
    if (!model) built.dispose();
  }
  const { params } = inspectModel(bytes);
  if (target === undefined) return { bytes, params };
  return { bytes, params, path: await writeAtomically(target, bytes) };
}

/** Writes `bytes` to `path` (through a temporary file renamed into place); returns the absolute path. */
export async function writeModelFile(path: string, bytes: Uint8Array): Promise<string> {
  if (!(bytes instanceof Uint8Array)) throw new LinearConvError('bytes', `must be the model's bytes (a Uint8Array), got ${describe(bytes)}`);
  return writeAtomically(await writableTarget('path', path), bytes);
}

/** `path` resolved, refused (naming `field`) when it is not a string, is a directory or its directory is missing. */
async function writableTarget(field: string, path: unknown): Promise<string> {
  if (typeof path !== 'string' || path === '') throw new LinearConvError(field, `must be a file path, got ${describe(path)}`);
  const target = resolve(path);
  const [self, parent] = await Promise.all([stat(target).catch(() => undefined), stat(dirname(target)).catch(() => undefined)]);
  if (self?.isDirectory()) throw new LinearConvError(field, `${target} is a directory; give a file path`);
  if (!parent?.isDirectory()) throw new LinearConvError(field, `the directory ${dirname(target)} does not exist`);
  return target;
}

async function writeAtomically(target: string, bytes: Uint8Array): Promise<string> {
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

/** The zoo model on a tfjs backend (cpu unless the caller set one up); the packages it needs are optional. */
async function buildZooModel(zoo: NonNullable<ExportToFileOptions['zoo']>): Promise<LayersModel> {
  const feature = 'exportToFile({ zoo })';
  // Literal specifiers, so that bundlers see them.
  const tfjs = await import('@linearconv/tfjs').catch((e: unknown) => {
    throw new MissingDependencyError(feature, '@linearconv/tfjs', e);
  });
  const tf = await import('@tensorflow/tfjs-core').catch((e: unknown) => {
    throw new MissingDependencyError(feature, '@tensorflow/tfjs-core', e);
  });
  if (Object.keys(tf.engine().registryFactory).length === 0) {
    await import('@tensorflow/tfjs-backend-cpu').catch((e: unknown) => {
      throw new MissingDependencyError(feature, '@tensorflow/tfjs-backend-cpu', e);
    });
  }
  return tfjs.zooModel(zoo.name, { variant: zoo.variant, rank: zoo.rank });
}
