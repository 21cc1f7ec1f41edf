import { describe, expect, it } from 'vitest';
import { initialWeights, xavierUniform } from './initializers.js';
import { createRandom } from './random.js';
import { layerSpec } from './spec.js';

describe('createRandom', () => {
  it('repeats a sequence for a seed and differs across seeds', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('stays in range and has the right moments', () => {
    const r = createRandom(1);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform(-2, 3);
      expect(u).toBeGreaterThanOrEqual(-2);
      expect(u).toBeLessThan(3);
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
  });
});

describe('initialisers', () => {
  it('draws Xavier-uniform with PyTorch fans', () => {
    // [16, 3, 3, 3]: fan_in 27, fan_out 144 → bound sqrt(6/171)
    const w = xavierUniform(createRandom(2), [16, 3, 3, 3]);
    const bound = Math.sqrt(6 / 171);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
  });

  it('gives each stored weight of the spec, coefficients in U(−0.1, 0.1)', () => {
    const spec = layerSpec({ inChannels: 3, outChannels: 8, kernelSize: 3, coefficients: { kind: 'lowRank', rank: 2 } });
    const w = initialWeights(spec, createRandom(3));
    expect(Object.keys(w).sort()).toEqual(['bias', 'column', 'primary', 'row']);
    expect(w.primary.length).toBe(4 * 27);
    for (const v of [...w.column!, ...w.row!, ...w.bias!]) expect(Math.abs(v)).toBeLessThan(0.1);
    expect(initialWeights(spec, createRandom(3))).toEqual(w);
  });
});
