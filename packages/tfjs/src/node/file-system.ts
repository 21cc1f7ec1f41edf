import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { describe, LinearConvError } from '@linearconv/core';
import { io } from '@tensorflow/tfjs-core';

/** The standard layout, as tfjs-node's `file://` handler writes it. */
const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/**
 * A tfjs IOHandler on the file system, in pure JavaScript (no tfjs-node): `model.save(fileSystem(dir))`
 * writes `dir/model.json` and `dir/weights.bin`; `tf.loadLayersModel(fileSystem('dir/model.json'))`
 * (or the directory) reads them back. Weight paths in a model.json must stay inside its directory.
 */
export function fileSystem(path: string): io.IOHandler {
  if (typeof path !== 'string' || path === '') {
    throw new LinearConvError('path', `must be a directory (to save) or a model.json path (to load), got ${describe(path)}`);
  }
  return { save: (artifacts) => save(path, artifacts), load: () => load(path) };
}

async function save(path: string, artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new LinearConvError('modelTopology', 'fileSystem saves JSON topologies (layers models) only');
  }
  const dir = resolve(path);
  const existing = await stat(dir).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new LinearConvError('path', `${dir} exists and is not a directory`);
  // `fileSystem('out/model.json')` would otherwise make a directory named model.json.
  if (!existing && dir.toLowerCase().endsWith('.json')) {
    throw new LinearConvError('path', `saving writes a directory (model.json and weights.bin in it): give the directory, got "${path}"`);
  }
  await fsCall('path', `cannot create the directory ${dir}`, () => mkdir(dir, { recursive: true }));

  const weightsManifest: io.WeightsManifestConfig = [];
  if (artifacts.weightSpecs !== undefined) {
    const shards = artifacts.weightData === undefined ? [] : Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData];
    await writeAtomically(join(dir, WEIGHTS_FILE), shards);
    weightsManifest.push({ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs });
  }
  // model.json last: a directory holding it holds a complete model.
  const modelJson = JSON.stringify(modelJsonOf(artifacts, weightsManifest));
  await writeAtomically(join(dir, MODEL_FILE), [new TextEncoder().encode(modelJson)]);
  return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(artifacts) };
}

/** What tfjs's own handlers write (tfjs-core's getModelJSONForModelArtifacts, which io does not export). */
function modelJsonOf(artifacts: io.ModelArtifacts, weightsManifest: io.WeightsManifestConfig): io.ModelJSON {
  const json: io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest,
  };
  for (const key of ['signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature', 'trainingConfig'] as const) {
    if (artifacts[key] != null) (json as unknown as Record<string, unknown>)[key] = artifacts[key];
  }
  return json;
}

/** Writes through a temporary file renamed into place, so a failed save leaves no half-written file. */
async function writeAtomically(file: string, chunks: readonly (ArrayBuffer | Uint8Array)[]): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fsCall('path', `cannot write ${file}`, async () => {
    try {
      const handle = await open(temporary, 'w');
      try {
        for (const chunk of chunks) await handle.write(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk));
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    } catch (e) {
      await rm(temporary, { force: true });
      throw e;
    }
  });
}

async function load(path: string): Promise<io.ModelArtifacts> {
  const file = await modelFile(path);
  const text = await fsCall('path', `cannot read ${file}`, () => readFile(file, 'utf8'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LinearConvError('path', `${file} is not JSON (${(e as Error).message})`);
  }
  const modelJson = checkModelJson(file, json);
  return io.getModelArtifactsForJSON(modelJson, (manifest) => readWeights(file, manifest));
}

/** The model.json a path names: the file itself, or `model.json` in a directory. */
async function modelFile(path: string): Promise<string> {
  const target = resolve(path);
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new LinearConvError('path', `${target} does not exist`);
  if (info.isDirectory()) {
    const inside = join(target, MODEL_FILE);
    if (!(await stat(inside).catch(() => undefined))?.isFile()) throw new LinearConvError('path', `${target} is a directory without a ${MODEL_FILE}`);
    return inside;
  }
  if (!info.isFile()) throw new LinearConvError('path', `${target} is not a regular file`);
  return target;
}

function checkModelJson(file: string, json: unknown): io.ModelJSON {
  const doc = json as Partial<io.ModelJSON> & { format?: unknown };
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof doc.modelTopology !== 'object' || doc.modelTopology === null) {
    const caseFile = typeof doc?.format === 'string' && doc.format.startsWith('linearconv-case');
    throw new LinearConvError(
      'modelTopology',
      `${file} has none: it is not a model.json saved by tfjs${caseFile ? ' (it is a linearconv conformance case file)' : ''}`,
    );
  }
  const manifest = doc.weightsManifest;
  if (manifest === undefined) return doc as io.ModelJSON;
  if (!Array.isArray(manifest)) throw new LinearConvError('weightsManifest', `must be an array in ${file}`);
  manifest.forEach((group, g) => {
    if (typeof group !== 'object' || group === null || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new LinearConvError(`weightsManifest[${g}]`, `must be { paths: string[], weights: [...] } in ${file}`);
    }
    group.paths.forEach((p, i) => {
      if (typeof p !== 'string' || p === '') throw new LinearConvError(`weightsManifest[${g}].paths[${i}]`, `must be a file name, got ${describe(p)} in ${file}`);
    });
  });
  return doc as io.ModelJSON;
}

/** The weight files of a manifest, inside the model's directory, checked against the sizes it describes. */
async function readWeights(file: string, manifest: io.WeightsManifestConfig): Promise<[io.WeightsManifestEntry[], io.WeightData]> {
  const dir = dirname(file);
  const buffers: ArrayBuffer[] = [];
  for (const [g, group] of manifest.entries()) {
    for (const [i, name] of group.paths.entries()) {
      const field = `weightsManifest[${g}].paths[${i}]`;
      const weights = resolve(dir, name);
      const inside = relative(dir, weights);
      if (isAbsolute(name) || inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
        throw new LinearConvError(field, `"${name}" is outside the directory of ${file}; weight files must be beside it`);
      }
      const info = await stat(weights).catch(() => undefined);
      if (!info) throw new LinearConvError(field, `${weights} does not exist (a weight file of ${file})`);
      if (!info.isFile()) throw new LinearConvError(field, `${weights} is not a regular file`);
      const bytes = await fsCall(field, `cannot read ${weights}`, () => readFile(weights));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  const specs = manifest.flatMap((group) => group.weights);
  const described = describedBytes(specs);
  const held = buffers.reduce((n, b) => n + b.byteLength, 0);
  if (described !== undefined && described !== held) {
    throw new LinearConvError('weightsManifest', `the weight files of ${file} hold ${held} bytes; its manifest describes ${described}`);
  }
  // One buffer: given an ArrayBuffer[], tfjs 4.22 read zeros for a weight split across two of them.
  return [specs, io.CompositeArrayBuffer.join(buffers)];
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, float16: 2, uint16: 2, uint8: 1 };

/** Bytes the specs take (quantised ones at their stored width); undefined when one has no fixed size (strings). */
function describedBytes(specs: readonly io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const width = BYTES_PER_VALUE[spec.quantization?.dtype ?? spec.dtype];
    if (width === undefined || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) return undefined;
    total += width * spec.shape.reduce((n, d) => n * d, 1);
  }
  return total;
}

/** A file-system call whose failure (permissions, a file where a directory should be, …) is named by path. */
async function fsCall<T>(field: string, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof LinearConvError) throw e;
    // "EACCES: permission denied, open '/x'": the code and its meaning; the path is named already.
    throw new LinearConvError(field, `${what} (${(e as Error).message.split(', ')[0]})`);
  }
}
