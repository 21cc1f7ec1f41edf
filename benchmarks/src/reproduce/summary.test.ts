import { describe, expect, it } from 'vitest';
import { spread, summarise } from './summary.js';
import type { RunResult } from './train.js';

function run(variant: RunResult['variant'], seed: number, testAccuracy: number): RunResult {
  const correlation = { filters: 2, matrix: [1, 0.5, 0.5, 1], meanAbs: 0.5 };
  return {
    dataset: 'digits',
    variant,
    seed,
    params: variant === 'conv' ? 10 : 6,
    testAccuracy,
    secondsPerEpoch: seed,
    epochLosses: [1],
    meanAbsCorrelation: 0.5,
    weightsSha256: '0',
    correlation: { layer: 'conv2', initial: { primaries: 0.1, bank: 0.2 }, primaries: correlation, bank: correlation },
  };
}

describe('summarise', () => {
  it('averages over seeds and pairs the deltas with Conv by seed', () => {
    const rows = summarise([run('conv', 1, 0.9), run('Lr', 1, 0.88), run('conv', 2, 0.8), run('Lr', 2, 0.79), run('Lr', 3, 0.5)]);
    expect(rows.map((r) => r.variant)).toEqual(['conv', 'Lr']);
    const [conv, lr] = rows;
    expect(conv.accuracy.mean).toBeCloseTo(85, 10);
    expect(conv.accuracy.sd).toBeCloseTo(Math.sqrt(50), 10);
    expect(conv.deltaVsConv).toBeNull();
    expect(conv.paper).toEqual({ accuracy: 99.3 });
    expect(lr.accuracy.n).toBe(3);
    // Seed 3 has no Conv run to pair with: deltas −2 and −1 only.
    expect(lr.deltaVsConv?.n).toBe(2);
    expect(lr.deltaVsConv?.mean).toBeCloseTo(-1.5, 10);
    // Paired deltas −2 and −1: sd √½, 95 % interval −1.5 ± t(0.975, 1) · √½ / √2 = −1.5 ± 12.706 / 2.
    expect(lr.deltaVsConv?.ci95?.low).toBeCloseTo(-1.5 - 12.7062 / 2, 3);
    expect(lr.deltaVsConv?.ci95?.high).toBeCloseTo(-1.5 + 12.7062 / 2, 3);
    expect(conv.accuracy.ci95?.high).toBeCloseTo(85 + (12.7062 * Math.sqrt(50)) / Math.sqrt(2), 2);
    expect(lr.paper).toEqual({ delta: -0.1 });
    expect(lr.secondsPerEpoch).toBe(2);
    expect(lr.correlation.layer).toBe('conv2');
    expect(lr.correlation.primaries.initial).toBeCloseTo(0.1, 12);
    expect(lr.correlation.primaries.trained).toBeCloseTo(0.5, 12);
    expect(lr.correlation.bank.initial).toBeCloseTo(0.2, 12);
  });

  it('has no spread from one value', () => {
    expect(spread([3])).toEqual({ mean: 3, sd: null, n: 1, ci95: null });
    expect(spread([1, 3])).toMatchObject({ mean: 2, sd: Math.SQRT2, n: 2 });
  });
});
