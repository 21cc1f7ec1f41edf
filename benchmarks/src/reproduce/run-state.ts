/**
 * The whole state of a training run between two epochs, and how to take it from and put it back
 * into tfjs: model weights, Adam's moments and step count, the batch-order generator's position
 * and the regularisers' step counts. Restored, the run continues bit for bit as if never stopped.
 */
import { createRandom, type Random } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';

/** A tensor's values, copied out of tfjs. */
export interface SavedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

export interface AdamState {
  /** optimizer.getWeights(): the step count, then every first and every second moment. */
  weights: SavedTensor[];
  /** β1^(t+1) and β2^(t+1) as Adam accumulated them, by repeated float32 products. */
  accBeta1: number;
  accBeta2: number;
}

export interface RunState {
  epochsDone: number;
  /** Mean task loss of each epoch so far. */
  epochLosses: number[];
  trainingSeconds: number;
  /** The batch-order generator: createRandom(seed) after `draws` values. */
  batchOrder: { seed: number; draws: number };
  /** Each regularised layer's regulariser step count, in layer order. */
  regulariserSteps: number[];
  /** model.weights, in order (trainable and not: batch norm's moving statistics too). */
  model: SavedTensor[];
  optimizer: AdamState;
}

/**
 * createRandom(seed), advanced by `skip` values, counting the values drawn through next() and
 * uniform() (all the batch order draws): its position is then a number a checkpoint can keep.
 */
export function countingRandom(seed: number, skip = 0): { random: Random; draws: () => number } {
  const inner = createRandom(seed);
  for (let i = 0; i < skip; i++) inner.next();
  let draws = skip;
  const next = () => {
    draws++;
    return inner.next();
  };
  return {
    random: {
      next,
      uniform: (low, high) => low + (high - low) * next(),
      normal: () => {
        throw new Error('countingRandom: normal() is not counted; the batch order uses next() only');
      },
    },
    draws: () => draws,
  };
}

function save(name: string, tensor: tf.Tensor): SavedTensor {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') throw new Error(`run state: ${name} is ${tensor.dtype}; only float32 and int32 are saved`);
  const values = tensor.dataSync() as Float32Array | Int32Array;
  return { name, shape: [...tensor.shape], dtype: tensor.dtype, values: values.slice() };
}

function load(saved: SavedTensor): tf.Tensor {
  return tf.tensor(saved.values, saved.shape, saved.dtype);
}

export function saveWeights(model: tf.LayersModel): SavedTensor[] {
  return model.weights.map((w) => save(w.originalName, w.read()));
}

/** Writes `saved` into model.weights, which must match it in count, names and shapes. */
export function restoreWeights(model: tf.LayersModel, saved: readonly SavedTensor[]): void {
  const weights = model.weights;
  if (weights.length !== saved.length) throw new Error(`run state: the model has ${weights.length} weights, the state ${saved.length}`);
  for (const [i, w] of weights.entries()) {
    const s = saved[i];
    if (w.originalName !== s.name || w.shape.join() !== s.shape.join()) {
      throw new Error(`run state: weight ${i} is ${w.originalName} [${w.shape}] in the model, ${s.name} [${s.shape}] in the state`);
    }
    const tensor = load(s);
    w.write(tensor);
    tensor.dispose();
  }
}

// tfjs keeps these two products private; setWeights recomputes them with pow(), which rounds
// differently from the products the steps accumulated, so they are carried over as they were.
type AdamInternals = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };

function internals(optimizer: tf.AdamOptimizer): Required<AdamInternals> {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  if (!(accBeta1 instanceof tf.Variable && accBeta2 instanceof tf.Variable)) {
    throw new Error(`run state: this tfjs (${tf.version.tfjs}) has no AdamOptimizer.accBeta1/accBeta2 to save`);
  }
  return { accBeta1, accBeta2 };
}

export async function saveAdam(optimizer: tf.AdamOptimizer): Promise<AdamState> {
  const named = await optimizer.getWeights();
  const weights = named.map(({ name, tensor }) => save(name, tensor));
  // getWeights makes a fresh tensor for the step count; the moments are the optimizer's own.
  named[0].tensor.dispose();
  const { accBeta1, accBeta2 } = internals(optimizer);
  return { weights, accBeta1: accBeta1.dataSync()[0], accBeta2: accBeta2.dataSync()[0] };
}

export async function restoreAdam(optimizer: tf.AdamOptimizer, state: AdamState): Promise<void> {
  const tensors = state.weights.map((s) => ({ name: s.name, tensor: load(s) }));
  await optimizer.setWeights(tensors);
  // setWeights made variables of the moments (sharing their data); our handles can go.
  tf.dispose(tensors.map((t) => t.tensor));
  const { accBeta1, accBeta2 } = internals(optimizer);
  tf.tidy(() => {
    accBeta1.assign(tf.scalar(state.accBeta1));
    accBeta2.assign(tf.scalar(state.accBeta2));
  });
}
