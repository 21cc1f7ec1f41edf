import { countMacs, layerSpec } from '@linearconv/core';
import type { BenchLayer } from '../bench/layers.js';
import { main } from '../main.js';

/** Runs the CLI in-process, capturing what it writes. */
export async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

/** Small layers of the kinds the standard set has (3×3, stride 2, 1×1, depthwise), with and without bias, and one low-rank. */
export function tinyLayers(): BenchLayer[] {
  const layer = (name: string, input: Parameters<typeof layerSpec>[0], size: number): BenchLayer => {
    const spec = layerSpec(input);
    return { name, sameShape: [name], spec, inputSize: [size, size], macs: countMacs(spec, [size, size]) };
  };
  const pad = (k: number) => [k >> 1, k >> 1, k >> 1, k >> 1] as const;
  return [
    layer('tiny/conv3x3', { inChannels: 4, outChannels: 6, kernelSize: 3, padding: pad(3), useBias: true }, 6),
    layer('tiny/stride2-lowrank', { inChannels: 6, outChannels: 8, kernelSize: 3, strides: 2, padding: pad(3), useBias: false, coefficients: { kind: 'lowRank', rank: 2 } }, 7),
    layer('tiny/pointwise', { inChannels: 8, outChannels: 4, kernelSize: 1, padding: pad(1), useBias: false }, 5),
    layer('tiny/depthwise', { inChannels: 6, outChannels: 6, kernelSize: 3, groups: 6, padding: pad(3), useBias: false }, 6),
  ];
}
