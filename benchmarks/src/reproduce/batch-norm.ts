/**
 * Batch norm's moving statistics, recomputed for the trained weights before a model is tested.
 *
 * During training a BatchNormalization layer normalises with each batch's own statistics and
 * keeps an exponential moving average of them for inference (momentum 0.9 in the zoo, PyTorch's
 * 0.1, as the authors trained), starting from mean 0 and variance 1. After a short run that
 * average is still far from the statistics of the final weights: it carries 0.9^steps of its
 * start (12 % after 20 steps, against true variances far below 1) and the statistics of the
 * early, fast-changing weights. The 20-step main job scored at chance in inference mode (10.6 %
 * on digits) with weights that scored 89 % on batch statistics. A lower momentum would trade
 * that bias for batch noise and leave the authors' setting. Instead, as PyTorch's
 * `torch.optim.swa_utils.update_bn` and fvcore's precise BN do, the statistics are measured again
 * over the training images with the final weights, so that inference mode means what a tfjs or
 * Keras user expects of it, the population statistics of the trained network, after a run of any
 * length. Training itself is untouched: a seeded run still repeats exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { Images } from './data.js';

/** Images per forward pass. */
const BATCH = 250;

/**
 * At most this many images are measured (the first ones; a split's images are in seeded random
 * order): the sampling error of a channel's mean over 10,000 images is already far below the
 * noise of a training batch, and all 60,000 of Fashion-MNIST would add minutes to every run.
 */
export const BATCH_NORM_IMAGES = 10_000;

/** Per-channel statistics of one layer's input. */
export interface ChannelStatistics {
  mean: Float64Array;
  /** The population variance (over every image and position). */
  variance: Float64Array;
}

/**
 * Overwrites the moving mean and variance of every BatchNormalization layer of `model` (single
 * channel images, channels last) with the per-channel mean and variance of its input over the
 * first `limit` of `images` (default BATCH_NORM_IMAGES), as update_bn measures them: forward passes in training mode, so each layer's input
 * comes from the layers before it normalised with their pass's statistics (250 images a pass).
 * Returns the statistics written, by layer name.
 */
export function recomputeBatchNormStatistics(model: tf.LayersModel, all: Images, limit = BATCH_NORM_IMAGES): Map<string, ChannelStatistics> {
  const images = all.count > limit ? firstImages(all, limit) : all;
  const norms = model.layers.filter((layer) => layer.getClassName() === 'BatchNormalization');
  if (norms.length === 0) return new Map();
  // A view of the model with every norm's input as an output; it shares the layers and owns no weights.
  const probe = tf.model({ inputs: model.inputs, outputs: norms.map((layer) => layer.input as tf.SymbolicTensor) });
  const passes: { count: number; moments: Float32Array[] }[] = [];
  const pixels = images.size * images.size;
  for (let start = 0; start < images.count; start += BATCH) {
    const count = Math.min(BATCH, images.count - start);
    const moments = tf.tidy(() => {
      const x = tf.tensor4d(images.pixels.subarray(start * pixels, (start + count) * pixels), [count, images.size, images.size, 1]);
      // Training mode also moves the moving averages a step; they are overwritten below.
      const inputs = probe.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(inputs) ? inputs : [inputs]).flatMap((y) => {
        const { mean, variance } = tf.moments(y, [...Array(y.rank - 1).keys()]);
        return [mean, variance];
      });
    });
    passes.push({ count, moments: moments.map((t) => t.dataSync() as Float32Array) });
    tf.dispose(moments);
  }
  const written = new Map<string, ChannelStatistics>();
  for (const [k, layer] of norms.entries()) {
    const statistics = combine(passes.map(({ count, moments }) => ({ count, mean: moments[2 * k], variance: moments[2 * k + 1] })));
    const weight = (suffix: string) => layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`))!;
    for (const [suffix, values] of [['moving_mean', statistics.mean], ['moving_variance', statistics.variance]] as const) {
      const tensor = tf.tensor1d(Float32Array.from(values));
      weight(suffix).write(tensor);
      tensor.dispose();
    }
    written.set(layer.name, statistics);
  }
  return written;
}

function firstImages(images: Images, count: number): Images {
  const pixels = images.size * images.size;
  return { ...images, pixels: images.pixels.subarray(0, count * pixels), labels: images.labels.subarray(0, count), count };
}

/**
 * The moments of the union of passes, in float64, by the law of total variance. Every image has
 * as many positions as the next, so a pass weighs as many images as it had.
 */
export function combine(passes: readonly { count: number; mean: ArrayLike<number>; variance: ArrayLike<number> }[]): ChannelStatistics {
  const total = passes.reduce((n, p) => n + p.count, 0);
  const channels = passes[0].mean.length;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (const p of passes) for (let c = 0; c < channels; c++) mean[c] += (p.count * p.mean[c]) / total;
  for (const p of passes) for (let c = 0; c < channels; c++) variance[c] += (p.count * (p.variance[c] + (p.mean[c] - mean[c]) ** 2)) / total;
  return { mean, variance };
}
