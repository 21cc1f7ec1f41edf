/**
 * How long core's fitCoefficients takes on a realistic layer (VGG11's conv8 shape: F = 512,
 * C = 256, 3×3, p = 256), full and low rank (R = 10): the cost `convertModel` pays per layer.
 * Timed here rather than asserted in a test. Usage: node dist/fit.js [--runs N]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createRandom, fitCoefficients, layerSpec } from '@linearconv/core';
import { time } from './timing.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const random = createRandom(9);
const filters = Float32Array.from({ length: 512 * 256 * 9 }, () => random.normal());
console.log(`fitCoefficients, 512×256×3×3 random filters, p = 256; ${runs} runs after 1 warm-up, load average ${loadavg()[0].toFixed(2)}`);
for (const coefficients of ['full', { kind: 'lowRank', rank: 10 }] as const) {
  const layer = layerSpec({ inChannels: 256, outChannels: 512, kernelSize: 3, useBias: false, coefficients });
  const t = await time(() => fitCoefficients(layer, filters), { warmup: 1, runs, minRuns: runs });
  console.log(`  ${JSON.stringify(coefficients).padEnd(30)} median ${(t.medianMs / 1000).toFixed(2)} s (min ${(t.minMs / 1000).toFixed(2)}, max ${(t.maxMs / 1000).toFixed(2)})`);
}
