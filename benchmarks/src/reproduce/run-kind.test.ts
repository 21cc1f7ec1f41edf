import { describe, expect, it } from 'vitest';
import { chanceAccuracy } from './chance.js';
import { budgets } from './flags.js';
import { plan } from './reproduce.js';
import { PARITY_MIN_STEPS, runKind } from './run-kind.js';

describe('runKind', () => {
  const kindOf = (name: keyof typeof budgets) => {
    const b = budgets[name];
    const steps = plan({ sizes: b.sizes, epochs: b.epochs, seeds: [1], datasets: ['fashion', 'digits'], variants: ['conv'] }).stepsPerRun;
    return runKind(Math.min(steps.fashion!, steps.digits!));
  };

  it('makes the default budget the smallest parity run, and the shorter budgets smoke runs', () => {
    expect(plan({ ...budgets.default, seeds: [1], datasets: ['digits'], variants: ['conv'] }).stepsPerRun).toEqual({ digits: PARITY_MIN_STEPS });
    expect(kindOf('default')).toBe('parity');
    expect(kindOf('full')).toBe('parity');
    expect(kindOf('paper-data')).toBe('parity');
    expect(kindOf('quick')).toBe('smoke');
    expect(kindOf('smoke')).toBe('smoke');
    expect(runKind(PARITY_MIN_STEPS - 1)).toBe('smoke');
  });
});

describe('chanceAccuracy', () => {
  it("is the most frequent label's share, in %", () => {
    expect(chanceAccuracy(Int32Array.from([3, 1, 3, 0, 3, 1, 2, 9]))).toBe(37.5);
    expect(chanceAccuracy([4])).toBe(100);
  });
});
