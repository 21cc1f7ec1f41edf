/**
 * Trains the conv and the LinearConv model side by side on the same batches, a few steps at a
 * time, yielding to the page between chunks (tf.nextFrame) so its curves update while it runs.
 */
import { createRandom, describe, LinearConvError, requirePositiveInteger } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type Digits, slice } from './digits.js';
import { digitModel, type ModelKind, modelKinds, type ParamCounts, paramCounts } from './models.js';

export interface TrainOptions {
  /** Optimiser steps per model. */
  readonly steps: number;
  /** Default 32. */
  readonly batch?: number;
  /** Digits held out for accuracy (the last ones of the shipped order). Default 1000. */
  readonly heldOut?: number;
  /** Held-out accuracy is measured every `evalEvery` steps on `evalSize` of the held-out digits. Defaults 10 and 250. */
  readonly evalEvery?: number;
  readonly evalSize?: number;
  /** Steps between yields to the page. Default 2. */
  readonly chunk?: number;
  /** Adam's learning rate. Default 0.005. */
  readonly learningRate?: number;
  /** Weights and batch order. Default 1. */
  readonly seed?: number;
  onProgress?(progress: TrainProgress): void;
}

export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

export interface ModelProgress {
  readonly params: ParamCounts;
  /** Training loss (cross-entropy, plus the correlation penalty on its steps) per step. */
  readonly loss: CurvePoint[];
  /** Accuracy on held-out digits. */
  readonly accuracy: CurvePoint[];
}

export interface TrainProgress {
  readonly step: number;
  readonly steps: number;
  readonly models: Readonly<Record<ModelKind, ModelProgress>>;
}

export interface TrainResult extends TrainProgress {
  /** Final accuracy of each model on all the held-out digits. */
  readonly final: Readonly<Record<ModelKind, number>>;
  /** The trained models, until `dispose()`. */
  readonly trained: Readonly<Record<ModelKind, LayersModel>>;
  /** Releases the models and their optimisers' state (a model does not own an optimiser it was given). */
  dispose(): void;
  /** tf.memory().numTensors after each evaluation: flat once the optimisers hold their state. */
  readonly tensors: number[];
  readonly seconds: number;
}

export async function trainSideBySide(digits: Digits, options: TrainOptions): Promise<TrainResult> {
  const { steps, batch = 32, heldOut = 1000, evalEvery = 10, evalSize = 250, chunk = 2, learningRate = 0.005, seed = 1 } = options;
  for (const [field, value] of Object.entries({ steps, batch, heldOut, evalEvery, evalSize, chunk })) requirePositiveInteger(field, value);
  if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new LinearConvError('learningRate', `must be a finite number > 0, got ${describe(learningRate)}`);
  const trainCount = digits.count - heldOut;
  if (trainCount < batch) throw new LinearConvError('heldOut', `leaves ${trainCount} of the ${digits.count} digits to train on, fewer than a batch of ${batch}`);
  const started = performance.now();
  const shape: [number, number, number] = [digits.height, digits.width, 1];
  const trained = Object.fromEntries(modelKinds.map((k) => [k, digitModel(k, shape, seed)])) as Record<ModelKind, LayersModel>;
  const optimizers = modelKinds.map((k) => {
    const optimizer = tf.train.adam(learningRate);
    trained[k].compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return optimizer;
  });
  const dispose = () => {
    for (const model of Object.values(trained)) model.dispose();
    for (const optimizer of optimizers) optimizer.dispose();
  };
  const models = Object.fromEntries(modelKinds.map((k) => [k, { params: paramCounts(trained[k]), loss: [], accuracy: [] }])) as unknown as Record<ModelKind, ModelProgress>;
  const testSet = tensors(digits, trainCount, digits.count, shape);
  const evalCount = Math.min(evalSize, heldOut);
  const evalSet = { x: tf.slice(testSet.x, 0, evalCount), y: tf.slice(testSet.y, 0, evalCount) };
  const random = createRandom(seed);
  let order: number[] = [];
  const nextBatch = () => {
    if (order.length < batch) order = shuffled(trainCount, random);
    return tensors(digits, 0, 0, shape, order.splice(0, batch));
  };
  const memory: number[] = [];
  const evaluate = async (step: number) => {
    for (const kind of modelKinds) models[kind].accuracy.push({ step, value: await accuracy(trained[kind], evalSet) });
    memory.push(tf.memory().numTensors);
  };

  try {
    await evaluate(0);
    options.onProgress?.({ step: 0, steps, models });
    for (let step = 1; step <= steps; step++) {
      const { x, y } = nextBatch();
      try {
        for (const kind of modelKinds) {
          const [loss] = (await trained[kind].trainOnBatch(x, y)) as number[];
          models[kind].loss.push({ step, value: loss });
        }
      } finally {
        tf.dispose([x, y]);
      }
      if (step % evalEvery === 0 || step === steps) await evaluate(step);
      if (step % chunk === 0 || step === steps) {
        options.onProgress?.({ step, steps, models });
        await tf.nextFrame();
      }
    }
    const final = Object.fromEntries(await Promise.all(modelKinds.map(async (k) => [k, await accuracy(trained[k], testSet)]))) as Record<ModelKind, number>;
    return { step: steps, steps, models, final, trained, dispose, tensors: memory, seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    dispose();
    throw e;
  } finally {
    tf.dispose([testSet.x, testSet.y, evalSet.x, evalSet.y]);
  }
}

/** Digits [from, to) (or those at `indices`) as an NHWC batch and one-hot labels. */
function tensors(digits: Digits, from: number, to: number, shape: [number, number, number], indices?: number[]): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const area = digits.height * digits.width;
  const picked = indices ?? Array.from({ length: to - from }, (_, i) => from + i);
  const x = new Float32Array(picked.length * area);
  const labels = new Int32Array(picked.length);
  picked.forEach((index, i) => {
    const one = slice(digits, index, index + 1);
    x.set(one.x, i * area);
    labels[i] = one.labels[0];
  });
  return tf.tidy(() => ({ x: tf.tensor4d(x, [picked.length, ...shape]), y: tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32') as tf.Tensor2D }));
}

/** Share of `set` the model classifies right. */
async function accuracy(model: LayersModel, set: { x: tf.Tensor4D; y: tf.Tensor2D }): Promise<number> {
  const hits = tf.tidy(() => {
    const predicted = tf.argMax(model.predict(set.x, { batchSize: 250 }) as tf.Tensor2D, 1);
    return tf.sum(tf.cast(tf.equal(predicted, tf.argMax(set.y, 1)), 'int32'));
  });
  try {
    return (await hits.data())[0] / set.x.shape[0];
  } finally {
    hits.dispose();
  }
}

/** 0..n−1 in an order drawn from `random` (Fisher–Yates). */
function shuffled(n: number, random: { next(): number }): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
