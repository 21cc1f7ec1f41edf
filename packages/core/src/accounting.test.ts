import { describe, expect, it } from 'vitest';
import {
  type AccountedLayer,
  compositionFlops,
  convBiasAdds,
  convParams,
  countMacs,
  countParams,
  layerAccount,
  linearConvParams,
  modelAccount,
  type PlainConvSpec,
  rankExceedsMin,
} from './accounting.js';
import { type LayerSpecInput, layerSpec } from './spec.js';

function conv(input: LayerSpecInput): PlainConvSpec {
  const { primaryFilters: _p, coefficients: _c, ...plain } = layerSpec(input);
  return plain;
}

describe('parameter counts', () => {
  it('plain conv: F·D + F·[b]', () => {
    // D = 3·3·3 = 27: 4·27 + 4 = 112
    expect(convParams(conv({ inChannels: 3, outChannels: 4, kernelSize: 3 }))).toBe(112);
    expect(convParams(conv({ inChannels: 3, outChannels: 4, kernelSize: 3, useBias: false }))).toBe(108);
    // grouped: D = (4/2)·3·3 = 18: 6·18 = 108
    expect(convParams(conv({ inChannels: 4, outChannels: 6, kernelSize: 3, groups: 2, useBias: false }))).toBe(108);
  });

  it('LinearConv full: p·D + s·p + F·[b]', () => {
    // p = s = 2, D = 27: 54 + 4 + 4 = 62
    expect(linearConvParams(layerSpec({ inChannels: 3, outChannels: 4, kernelSize: 3 }))).toBe(62);
    // p = s = 3, D = 8: 24 + 9 = 33
    expect(linearConvParams(layerSpec({ inChannels: 8, outChannels: 6, kernelSize: 1, useBias: false }))).toBe(33);
    // grouped: p = s = 3, D = 18: 54 + 9 = 63
    expect(
      linearConvParams(layerSpec({ inChannels: 4, outChannels: 6, kernelSize: 3, groups: 2, useBias: false })),
    ).toBe(63);
    // p = 1, s = 5, D = 8: 8 + 5 = 13
    expect(
      linearConvParams(layerSpec({ inChannels: 8, outChannels: 6, kernelSize: 1, useBias: false, primaryFilters: 1 })),
    ).toBe(13);
  });

  it('LinearConv low rank: p·D + R·(s + p) + F·[b]', () => {
    const lowRank = (rank: number) =>
      layerSpec({
        inChannels: 8,
        outChannels: 6,
        kernelSize: 1,
        useBias: false,
        coefficients: { kind: 'lowRank', rank },
      });
    // p = s = 3, D = 8: 24 + 1·6 = 30; 24 + 2·6 = 36
    expect(linearConvParams(lowRank(1))).toBe(30);
    expect(linearConvParams(lowRank(2))).toBe(36);
    // with bias: 24 + 6 + 6 = 36
    expect(
      linearConvParams(
        layerSpec({ inChannels: 8, outChannels: 6, kernelSize: 1, coefficients: { kind: 'lowRank', rank: 1 } }),
      ),
    ).toBe(36);
  });

  it('a 1×1 conv with C = F saves only 25%: the ratio is 1/2 + F/(4·C·kh·kw)', () => {
    const spec = layerSpec({ inChannels: 64, outChannels: 64, kernelSize: 1, useBias: false });
    // 32·64 + 32·32 = 3072 against 64·64 = 4096
    expect(linearConvParams(spec)).toBe(3072);
    expect(linearConvParams(spec) / convParams(spec)).toBe(0.5 + 64 / (4 * 64));
  });

  it('countParams reads every record kind', () => {
    const spec = layerSpec({ inChannels: 3, outChannels: 4, kernelSize: 3 });
    const layers: AccountedLayer[] = [
      { name: 'c', op: 'conv', conv: spec, inputSize: [4, 4] },
      { name: 'l', op: 'conv', conv: spec, linearConv: spec, inputSize: [4, 4] },
      { name: 'bn', op: 'batchNorm', channels: 4 },
      { name: 'fc', op: 'dense', inFeatures: 64, outFeatures: 2, useBias: true },
      { name: 'fc2', op: 'dense', inFeatures: 64, outFeatures: 2, useBias: false },
      { name: 'r', op: 'relu' },
      { name: 'a', op: 'add' },
    ];
    expect(layers.map(countParams)).toEqual([112, 62, 8, 130, 128, 0, 0]);
  });
});

describe('MACs', () => {
  it('F·H′·W′·D for one small layer', () => {
    // 2→3 channels, 3×3 valid on 5×5: out 3×3, D = 18: 3·9·18 = 486
    const spec = conv({ inChannels: 2, outChannels: 3, kernelSize: 3 });
    expect(countMacs(spec, [5, 5])).toBe(486);
    expect(convBiasAdds(spec, [5, 5])).toBe(27);
    // stride 2, same, on 4×4: out 2×2: 3·4·18 = 216
    const strided = conv({ inChannels: 2, outChannels: 3, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
    expect(countMacs(strided, [4, 4])).toBe(216);
    expect(convBiasAdds(strided, [4, 4])).toBe(0);
    // explicit padding 1 on 3×5 with stride 1: out 3×5: 3·15·18 = 810
    const padded = conv({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: [1, 1, 1, 1] });
    expect(countMacs(padded, [3, 5])).toBe(810);
  });

  it('grouped layers use C/g, or the full C under the authors\u2019 quirk', () => {
    // 4→6, g = 2, 1×1 on 2×2: 6·4 outputs; D = 2 → 48, full C → 96
    const spec = conv({ inChannels: 4, outChannels: 6, kernelSize: 1, groups: 2 });
    expect(countMacs(spec, [2, 2])).toBe(48);
    expect(countMacs(spec, [2, 2], { groupedMacsFullChannels: true })).toBe(96);
  });
});

describe('compositionFlops', () => {
  /** Naive matmul [m, k]·[k, n]: m·n dot products of k multiplies and k − 1 adds. */
  const matmulFlops = (m: number, k: number, n: number) => m * n * (2 * k - 1);

  it('full: (2p − 1)·s·D, hand-worked', () => {
    // p = s = 2, D = 27: 3·2·27 = 162
    expect(compositionFlops(layerSpec({ inChannels: 3, outChannels: 4, kernelSize: 3 }))).toBe(162);
  });

  it('low rank: (2p − 1)·R·D + (2R − 1)·s·D, hand-worked', () => {
    // p = s = 3, R = 1, D = 8: 5·1·8 + 1·3·8 = 40 + 24 = 64
    const spec = layerSpec({
      inChannels: 8,
      outChannels: 6,
      kernelSize: 1,
      coefficients: { kind: 'lowRank', rank: 1 },
    });
    expect(compositionFlops(spec)).toBe(64);
  });

  it('equals the FLOPs of the matmuls it stands for', () => {
    for (const [c, f, k, g, p] of [
      [3, 7, 3, 1, 3],
      [16, 10, 1, 2, 4],
      [6, 12, 5, 3, 9],
    ]) {
      const base = { inChannels: c, outChannels: f, kernelSize: k, groups: g, primaryFilters: p };
      const d = (c / g) * k * k;
      const s = f - p;
      // secondary = A·flat(P): [s, p]·[p, D]
      expect(compositionFlops(layerSpec(base))).toBe(matmulFlops(s, p, d));
      for (const rank of [1, 2, 5]) {
        // secondary = Col·(Row·flat(P)): [R, p]·[p, D], then [s, R]·[R, D]
        const spec = layerSpec({ ...base, coefficients: { kind: 'lowRank', rank } });
        expect(compositionFlops(spec)).toBe(matmulFlops(rank, p, d) + matmulFlops(s, rank, d));
      }
    }
  });
});

describe('rank above min(p, F − p)', () => {
  const spec = (outChannels: number, rank: number, primaryFilters?: number) =>
    layerSpec({ inChannels: 4, outChannels, kernelSize: 1, primaryFilters, coefficients: { kind: 'lowRank', rank } });

  it('is flagged, and only then', () => {
    expect(rankExceedsMin(spec(16, 10))).toBe(true); // min(8, 8) = 8
    expect(rankExceedsMin(spec(16, 8))).toBe(false);
    expect(rankExceedsMin(spec(10, 4, 3))).toBe(true); // min(3, 7) = 3
    expect(rankExceedsMin(spec(10, 3, 3))).toBe(false);
    expect(rankExceedsMin(layerSpec({ inChannels: 4, outChannels: 2, kernelSize: 1 }))).toBe(false); // full
  });

  it('is flagged on the layer row with a note, and still counted as R·(s + p)', () => {
    const s = spec(16, 10);
    const row = layerAccount({ name: 'c', op: 'conv', conv: s, linearConv: s, inputSize: [1, 1] });
    expect(row.rankExceedsMin).toBe(true);
    // 8·4 + 10·16 + 16 = 208
    expect(row.params).toBe(208);
    expect(row.notes.join('\n')).toMatch(/rank 10 exceeds min\(p, F − p\) = 8/);
  });
});

describe('modelAccount', () => {
  // conv 3→4, 3×3, padding 1, bias, as LinearConv (p = 2) on 4×4; BN; ReLU; flatten; dense 64→2
  const spec = layerSpec({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: [1, 1, 1, 1] });
  const layers: AccountedLayer[] = [
    { name: 'conv', op: 'conv', conv: spec, linearConv: spec, inputSize: [4, 4] },
    { name: 'bn', op: 'batchNorm', channels: 4 },
    { name: 'relu', op: 'relu' },
    { name: 'flatten', op: 'flatten' },
    { name: 'fc', op: 'dense', inFeatures: 64, outFeatures: 2, useBias: true },
  ];

  it('sums hand-worked rows and states its conventions', () => {
    const account = modelAccount(layers);
    // params 62 + 8 + 130; baseline 112 + 8 + 130
    // MACs: 4·16·27 = 1728 conv + 128 dense; bias adds 64 + 2; composition 3·2·27 = 162
    expect(account.total).toEqual({
      params: 200,
      baselineParams: 250,
      macs: 1856,
      biasAdds: 66,
      compositionFlops: 162,
      flops: 3712,
    });
    expect(account.layers[0]).toMatchObject({
      linearConv: true,
      params: 62,
      baselineParams: 112,
      macs: 1728,
      flops: 3456,
    });
    expect(account.conventions).toEqual({
      batch: 1,
      flopsPerMac: 2,
      biasCounted: false,
      compositionCounted: false,
      groupedMacsFullChannels: false,
      macsCount: 'conv and dense multiply-accumulates; batch norm, activations, pooling and adds count zero',
      paramsCount: 'trainable (BatchNorm gamma/beta counted, running statistics not)',
    });
  });

  it('adds bias adds and composition only when asked', () => {
    const account = modelAccount(layers, { countBias: true, countComposition: true });
    expect(account.total.flops).toBe(3712 + 66 + 162);
    expect(account.conventions).toMatchObject({ biasCounted: true, compositionCounted: true });
  });

  it('notes a layer that LinearConv makes larger', () => {
    // C = 1, F = 32, 3×3, no bias: 16·9 + 16·16 = 400 against 32·9 = 288
    const first = layerSpec({ inChannels: 1, outChannels: 32, kernelSize: 3, useBias: false });
    const row = layerAccount({ name: 'first', op: 'conv', conv: first, linearConv: first, inputSize: [8, 8] });
    expect([row.params, row.baselineParams]).toEqual([400, 288]);
    expect(row.notes).toEqual(['LinearConv grows this layer: 400 parameters against 288 as a plain conv']);
  });
});
