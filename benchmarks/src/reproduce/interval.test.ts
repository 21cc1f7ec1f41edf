import { describe, expect, it } from 'vitest';
import { meanInterval, tQuantile } from './interval.js';

describe('tQuantile', () => {
  it('matches the closed forms for 1 and 2 degrees of freedom (jstat inverts to ~1e-8)', () => {
    // t with 1 dof is Cauchy: q = tan(π(p − ½)); with 2 dof, q = (2p − 1) / √(2p(1 − p)).
    for (const p of [0.6, 0.9, 0.975, 0.995]) {
      expect(tQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 6);
      expect(tQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 6);
    }
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.303, 3);
  });

  it("matches printed tables' two-sided 95 % values and tends to the normal's 1.960", () => {
    // Fisher & Yates / NIST e-Handbook table 1.3.6.7.2, to 3 decimals.
    const table: [number, number][] = [
      [3, 3.182],
      [4, 2.776],
      [5, 2.571],
      [9, 2.262],
      [10, 2.228],
      [29, 2.045],
      [30, 2.042],
      [100, 1.984],
    ];
    for (const [dof, t] of table) expect(tQuantile(0.975, dof)).toBeCloseTo(t, 3);
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(1.95996, 4);
    // Symmetric about 0.
    expect(tQuantile(0.025, 4)).toBeCloseTo(-tQuantile(0.975, 4), 10);
  });

  it('refuses what has no quantile', () => {
    expect(() => tQuantile(1, 3)).toThrow(/p must be in \(0, 1\)/);
    expect(() => tQuantile(0.975, 0)).toThrow(/dof must be an integer ≥ 1/);
    expect(() => tQuantile(0.975, 2.5)).toThrow(/dof/);
  });
});

describe('meanInterval', () => {
  it('is mean ± t · sd / √n', () => {
    // Deltas −2, −1, 0: mean −1, sd 1, n 3, t(0.975, 2) = 4.303 → ±2.484.
    const ci = meanInterval(-1, 1, 3)!;
    const half = ((2 * 0.975 - 1) / Math.sqrt(2 * 0.975 * 0.025)) / Math.sqrt(3);
    expect(ci.low).toBeCloseTo(-1 - half, 7);
    expect(ci.high).toBeCloseTo(-1 + half, 7);
    expect(half).toBeCloseTo(2.484, 3);
  });

  it('has none from one value', () => {
    expect(meanInterval(0.5, null, 1)).toBeNull();
  });
});
