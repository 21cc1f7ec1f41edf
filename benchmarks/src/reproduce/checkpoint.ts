/**
 * The checkpoint of a `pnpm reproduce` run, in `<out>/checkpoint/`: state.json (the settings it
 * belongs to, the finished runs' results, the running run's state without its tensors) and one
 * .bin file of the running run's tensors (model weights, then Adam's), float32/int32 little-endian,
 * back to back. Written after every epoch and every finished run: the .bin under a new name
 * first, then state.json by rename, so a kill at any moment leaves a consistent checkpoint.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetName } from './data.js';
import type { RunState, SavedTensor } from './run-state.js';
import type { RunResult, VariantName } from './train.js';

export const CHECKPOINT_FORMAT = 'linearconv-reproduce-checkpoint/1';

export interface Checkpoint {
  /** The settings the runs belong to: a resume must match them exactly. */
  key: Record<string, unknown>;
  command: string;
  /** When the first session started. */
  startedAt: string;
  /** Wall time of the sessions so far. */
  elapsedSeconds: number;
  /** How many times it was resumed. */
  resumes: number;
  finished: RunResult[];
  /** The run in progress, after `state.epochsDone` epochs; null between runs. */
  current: { dataset: DatasetName; variant: VariantName; seed: number; state: RunState } | null;
}

type TensorEntry = Omit<SavedTensor, 'values'> & { offset: number; length: number };

interface StateFile extends Omit<Checkpoint, 'current'> {
  format: string;
  current:
    | (Omit<NonNullable<Checkpoint['current']>, 'state'> & {
        file: string;
        state: Omit<RunState, 'model' | 'optimizer'> & { model: TensorEntry[]; optimizer: Omit<RunState['optimizer'], 'weights'> & { weights: TensorEntry[] } };
      })
    | null;
}

export const checkpointDir = (out: string) => join(out, 'checkpoint');

/** The checkpoint in `dir`, or null when there is none. */
export async function readCheckpoint(dir: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(join(dir, 'state.json'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const file = JSON.parse(text) as StateFile;
  if (file.format !== CHECKPOINT_FORMAT) throw new Error(`${join(dir, 'state.json')}: not a ${CHECKPOINT_FORMAT} checkpoint (format ${JSON.stringify(file.format)})`);
  const { format: _, current, ...rest } = file;
  if (current === null) return { ...rest, current: null };
  const bytes = await readFile(join(dir, current.file));
  const values = (entries: readonly TensorEntry[]): SavedTensor[] =>
    entries.map(({ offset, length, ...meta }) => {
      if (offset + 4 * length > bytes.byteLength) throw new Error(`${join(dir, current.file)}: too short for ${meta.name}`);
      // A copy: aligned, and independent of the file's buffer.
      const buffer = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * length);
      return { ...meta, values: meta.dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer) };
    });
  const { file: __, state, ...run } = current;
  return {
    ...rest,
    current: { ...run, state: { ...state, model: values(state.model), optimizer: { ...state.optimizer, weights: values(state.optimizer.weights) } } },
  };
}

/** Writes `checkpoint` into `dir` (made if needed), replacing the one there. */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  let current: StateFile['current'] = null;
  if (checkpoint.current) {
    const { state, ...run } = checkpoint.current;
    const chunks: Uint8Array[] = [];
    let offset = 0;
    const entries = (tensors: readonly SavedTensor[]): TensorEntry[] =>
      tensors.map(({ values, ...meta }) => {
        chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
        const entry = { ...meta, offset, length: values.length };
        offset += values.byteLength;
        return entry;
      });
    const file = `${run.dataset}-${run.variant}-s${run.seed}-e${state.epochsDone}.bin`;
    current = { ...run, file, state: { ...state, model: entries(state.model), optimizer: { ...state.optimizer, weights: entries(state.optimizer.weights) } } };
    await writeFile(join(dir, `${file}.tmp`), Buffer.concat(chunks));
    await rename(join(dir, `${file}.tmp`), join(dir, file));
  }
  const state: StateFile = { format: CHECKPOINT_FORMAT, ...checkpoint, current };
  await writeFile(join(dir, 'state.json.tmp'), `${JSON.stringify(state)}\n`);
  await rename(join(dir, 'state.json.tmp'), join(dir, 'state.json'));
  // Older tensor files are no longer referenced.
  for (const name of await readdir(dir)) {
    if (name.endsWith('.bin') && name !== current?.file) await rm(join(dir, name), { force: true });
  }
}

export async function removeCheckpoint(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** The keys whose values differ between two settings records (compared as JSON). */
export function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}
