/**
 * One training run of the paper's Base network: a dataset split, a variant, a seed → test
 * accuracy, time, and the filter correlations of one layer. The loop is written out (not
 * model.fit) so the correlation penalty is added exactly as the authors did: to the task loss,
 * on batches 9, 19, 29, … of each epoch, for every LinearConv layer's primaries. After every
 * epoch the run can hand its whole state to a checkpoint, and continue from one bit-exactly.
 */
import { createHash } from 'node:crypto';
import { correlation, LinearConv2D, trainableParams, zooModel } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs';
import { recomputeBatchNormStatistics } from './batch-norm.js';
import { countingRandom, type RunState, restoreAdam, restoreWeights, saveAdam, saveWeights } from './run-state.js';
import { CLASSES, type DatasetName, type Images, permutation, type Split } from './data.js';
import { type FilterCorrelation, layerCorrelations } from './filters.js';
import { seedWeights } from './init.js';
import type { EpochProgress } from './progress.js';

export const variants = ['conv', 'L', 'Lr', 'LRr'] as const;
export type VariantName = (typeof variants)[number];

/** The paper's names → core's zoo variant, and whether the correlation penalty is added. */
export const variantSettings: Record<VariantName, { zoo: 'conv' | 'full' | 'lowRank'; regularised: boolean }> = {
  conv: { zoo: 'conv', regularised: false },
  L: { zoo: 'full', regularised: false },
  Lr: { zoo: 'full', regularised: true },
  LRr: { zoo: 'lowRank', regularised: true },
};

export interface Hyperparameters {
  epochs: number;
  /** The authors': 50. */
  batchSize: number;
  /** Adam's; the authors': 1e-3. */
  learningRate: number;
  /** R of -LRr; the paper's: 10. */
  rank: number;
  /** The penalty's weight and schedule; the authors': 0.01 on batches 9, 19, 29, … of each epoch. */
  correlationWeight: number;
  correlationEvery: number;
  /** The batch within each `correlationEvery` that gets the penalty (0..every − 1); the authors': 9. */
  correlationOffset: number;
  /** Whether the batch count restarts every epoch (the authors') or runs on over the whole run (the library's default). */
  correlationRestartEachEpoch: boolean;
  /** The layer whose filter correlations are reported: Base's second conv. */
  heatmapLayer: string;
}

export const paperHyperparameters: Omit<Hyperparameters, 'epochs'> = {
  batchSize: 50,
  learningRate: 1e-3,
  rank: 10,
  correlationWeight: 0.01,
  correlationEvery: 10,
  correlationOffset: 9,
  correlationRestartEachEpoch: true,
  heatmapLayer: 'conv2',
};

/** `@linearconv/tfjs`'s default phase: steps 0, 10, 20, … of one count over the run. */
export const globalPhase = { correlationOffset: 0, correlationRestartEachEpoch: false } as const;

/** The penalty schedule in words, for the record. */
export function penaltySchedule(h: Pick<Hyperparameters, 'correlationWeight' | 'correlationEvery' | 'correlationOffset' | 'correlationRestartEachEpoch'>): string {
  const steps = [0, 1, 2].map((k) => h.correlationOffset + k * h.correlationEvery).join(', ');
  return h.correlationRestartEachEpoch
    ? `${h.correlationWeight} · Σ_layers L_corr on batches ${steps}, … of each epoch (0-based; the count restarts every epoch${h.correlationOffset === 9 && h.correlationEvery === 10 ? ', as the authors' : ''})`
    : `${h.correlationWeight} · Σ_layers L_corr on steps ${steps}, … of one count over the whole run`;
}

export interface RunResult {
  dataset: DatasetName;
  variant: VariantName;
  seed: number;
  /** Trainable parameters (what the paper counts). */
  params: number;
  /** Fraction of the test images classified correctly after the last epoch, batch norm in inference mode with recomputed statistics. */
  testAccuracy: number;
  /** Mean wall time of an epoch of training (no evaluation). */
  secondsPerEpoch: number;
  /** Mean cross-entropy of each epoch's batches (without the penalty). */
  epochLosses: number[];
  /** Mean |off-diagonal correlation| of the heatmap layer's primaries after training. */
  meanAbsCorrelation: number;
  /** SHA-256 of every weight of the tested model (float32 bytes, in model.weights order): equal runs have equal digests. */
  weightsSha256: string;
  correlation: {
    layer: string;
    /** The same means at initialisation, for scale: random filters are nearly uncorrelated. */
    initial: { primaries: number; bank: number };
    primaries: FilterCorrelation;
    bank: FilterCorrelation;
  };
}

export interface RunOptions extends Hyperparameters {
  dataset: DatasetName;
  variant: VariantName;
  /** Fixes the initial weights and the batch order. */
  seed: number;
  /** Progress of each epoch, e.g. a terminal bar; none by default. */
  progress?: (epoch: number, batches: number) => EpochProgress;
  /** A run's state after some epochs (from `onEpoch`): training continues from it, as if never stopped. */
  resume?: RunState;
  /** Called after every epoch with the run's whole state, e.g. to write a checkpoint; training waits for it. */
  onEpoch?: (state: RunState) => Promise<void>;
}

/** Trains Base on `split.train` from a seeded start (or a saved state) and tests it on `split.test`. */
export async function trainRun(split: Split, options: RunOptions): Promise<RunResult> {
  const { dataset, variant, seed, epochs, batchSize, resume } = options;
  const settings = variantSettings[variant];
  const size = split.train.size;
  const model = zooModel('base', { variant: settings.zoo, rank: options.rank, inputShape: [size, size, 1], classes: CLASSES });
  // Separate streams for the weights and the batch order, distinct across seeds.
  seedWeights(model, seed * 2);
  const batchOrder = countingRandom(seed * 2 + 1, resume?.batchOrder.draws ?? 0);
  // From the seeded start: a resumed run reports the same initial correlations.
  const initial = layerCorrelations(model, options.heatmapLayer);

  // One regulariser instance per layer: each counts its own steps (once per call).
  const penalties = settings.regularised
    ? model.layers
        .filter((layer) => layer instanceof LinearConv2D)
        .map((layer) => ({
          primary: layer.trainableWeights.find((w) => w.originalName.endsWith('/primary'))!,
          regulariser: correlation({ weight: options.correlationWeight, every: options.correlationEvery, offset: options.correlationOffset }),
        }))
    : [];
  const optimizer = tf.train.adam(options.learningRate);
  const epochLosses: number[] = [...(resume?.epochLosses ?? [])];
  let trainingSeconds = resume?.trainingSeconds ?? 0;
  if (resume) {
    if (resume.regulariserSteps.length !== penalties.length) {
      throw new Error(`resume: the state has ${resume.regulariserSteps.length} regulariser counts, ${dataset} ${variant} has ${penalties.length} regularised layers`);
    }
    restoreWeights(model, resume.model);
    await restoreAdam(optimizer, resume.optimizer);
    for (const [i, { regulariser }] of penalties.entries()) regulariser.step = resume.regulariserSteps[i];
  }
  const [xTrain, yTrain] = tensors(split.train);
  const batches = Math.ceil(split.train.count / batchSize);

  for (let epoch = resume?.epochsDone ?? 0; epoch < epochs; epoch++) {
    const bar = options.progress?.(epoch, batches);
    const order = permutation(split.train.count, batchOrder.random);
    if (options.correlationRestartEachEpoch) for (const { regulariser } of penalties) regulariser.resetSchedule();
    const start = performance.now();
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const indices = tf.tensor1d(order.slice(b * batchSize, (b + 1) * batchSize), 'int32');
      const [x, y] = [tf.gather(xTrain, indices), tf.gather(yTrain, indices)];
      let task: tf.Scalar | undefined;
      const total = optimizer.minimize(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor2D;
        task = tf.keep(tf.losses.softmaxCrossEntropy(y, logits));
        // The regulariser gives 0 except on the batches its schedule picks.
        const terms = penalties.map(({ primary, regulariser }) => regulariser.apply(primary.read()));
        return terms.length > 0 ? tf.addN([task, ...terms]) : task;
      }, true);
      lossSum += task!.dataSync()[0];
      tf.dispose([indices, x, y, task!, total!]);
      bar?.update(b + 1, lossSum / (b + 1));
    }
    trainingSeconds += (performance.now() - start) / 1000;
    epochLosses.push(lossSum / batches);
    bar?.finish(lossSum / batches);
    await options.onEpoch?.({
      epochsDone: epoch + 1,
      epochLosses: [...epochLosses],
      trainingSeconds,
      batchOrder: { seed: seed * 2 + 1, draws: batchOrder.draws() },
      regulariserSteps: penalties.map(({ regulariser }) => regulariser.step),
      model: saveWeights(model),
      optimizer: await saveAdam(optimizer),
    });
  }

  // The moving averages lag the weights after a short run: test on the trained network's own statistics.
  recomputeBatchNormStatistics(model, split.train);
  const testAccuracy = accuracy(model, split.test);
  const trained = layerCorrelations(model, options.heatmapLayer);
  const params = trainableParams(model);
  const weightsSha256 = digest(model);
  tf.dispose([xTrain, yTrain]);
  optimizer.dispose();
  model.dispose();
  return {
    dataset,
    variant,
    seed,
    params,
    testAccuracy,
    secondsPerEpoch: trainingSeconds / epochs,
    epochLosses,
    meanAbsCorrelation: trained.primaries.meanAbs,
    weightsSha256,
    correlation: {
      layer: trained.layer,
      initial: { primaries: initial.primaries.meanAbs, bank: initial.bank.meanAbs },
      primaries: trained.primaries,
      bank: trained.bank,
    },
  };
}

function digest(model: tf.LayersModel): string {
  const hash = createHash('sha256');
  for (const w of model.weights) {
    const values = w.read().dataSync();
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}

/** Fraction of `images` whose most likely class is their label (batch norm in inference mode, with its moving statistics). */
export function accuracy(model: tf.LayersModel, images: Images): number {
  const predicted = tf.tidy(() => {
    const x = tf.tensor4d(images.pixels, [images.count, images.size, images.size, 1]);
    return tf.argMax(model.predict(x, { batchSize: 250 }) as tf.Tensor2D, -1);
  });
  const labels = predicted.dataSync();
  predicted.dispose();
  return images.labels.reduce((n, label, i) => n + (labels[i] === label ? 1 : 0), 0) / images.count;
}

function tensors(images: Images): [tf.Tensor4D, tf.Tensor2D] {
  return tf.tidy(() => [
    tf.tensor4d(images.pixels, [images.count, images.size, images.size, 1]),
    tf.oneHot(tf.tensor1d(images.labels, 'int32'), CLASSES) as tf.Tensor2D,
  ]);
}
