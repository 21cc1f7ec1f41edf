import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { loadCases } from './cases.js';
import { compareArrays } from './compare.js';
import { referenceBackend } from './reference-backend.js';
import { BackendRegistry } from './registry.js';
import { runCase } from './run.js';

const hand = loadCases().find((c) => c.name === 'hand-2x2-ones')!;
const grouped = loadCases().find((c) => c.name === 'groups2')!;

describe('compareArrays', () => {
  const tol = { atol: 1e-3, rtol: 1e-2 };
  it('passes within atol + rtol·|expected| and reports the largest error', () => {
    expect(compareArrays([1.0005, 100.9], [1, 100], tol)).toEqual({ pass: true, maxAbsError: expect.closeTo(0.9, 12) });
  });
  it('fails beyond it, naming the worst value', () => {
    const c = compareArrays([1.02, 2], [1, 2], tol);
    expect(c.pass).toBe(false);
    expect(c.reason).toMatch(/value 0 is 1.02, expected 1/);
  });
  it('never passes NaN or Infinity unless expected is the same', () => {
    expect(compareArrays([Number.NaN], [0], tol).pass).toBe(false);
    expect(compareArrays([Number.POSITIVE_INFINITY], [1e300], { atol: Number.POSITIVE_INFINITY, rtol: 0 }).pass).toBe(false);
    expect(compareArrays([Number.POSITIVE_INFINITY], [Number.POSITIVE_INFINITY], tol).pass).toBe(true);
  });
  it('fails on a length mismatch', () => {
    expect(compareArrays([1], [1, 2], tol).pass).toBe(false);
  });
});

describe('runCase', () => {
  it('passes the reference on the hand case', async () => {
    const results = await runCase(referenceBackend(), hand);
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['filters', 'pass'],
      ['output', 'pass'],
      ['correlation', 'pass'],
      ['backward', 'pass'],
    ]);
  });

  it('fails a backend that is off by a little, and one that throws, without crashing', async () => {
    const reference = referenceBackend();
    const off: Backend = {
      ...reference,
      name: 'off-by-a-little',
      tolerance: { atol: 1e-4, rtol: 1e-4 },
      forward: async (spec, weights, input) => {
        const out = reference.forward(spec, weights, input) as { shape: number[]; data: Float64Array };
        out.data[3] += 1e-2;
        return out;
      },
      compose: () => {
        throw new Error('compose is broken');
      },
    };
    const results = await runCase(off, hand);
    const byCheck = Object.fromEntries(results.map((r) => [r.check, r]));
    expect(byCheck.output.status).toBe('fail');
    expect(byCheck.output.maxAbsError).toBeCloseTo(1e-2, 9);
    expect(byCheck.filters).toMatchObject({ status: 'fail', reason: 'threw compose is broken' });
    expect(byCheck.backward.status).toBe('pass');
  });

  it('skips, with the reason, what a backend declares it lacks', async () => {
    const { backward: _, ...rest } = referenceBackend();
    const limited: Backend = { ...rest, name: 'limited', capabilities: { ...rest.capabilities, groups: 'no grouped conv here' } };
    const results = await runCase(limited, grouped);
    expect(results.every((r) => r.status === 'skip')).toBe(true);
    expect(results[0].reason).toBe('groups: no grouped conv here');
    const handResults = await runCase(limited, hand);
    expect(handResults.find((r) => r.check === 'backward')).toMatchObject({ status: 'skip', reason: 'backward: the backend has no backward' });
    // A declared reason wins over the bare absence of the method.
    const declared: Backend = { ...limited, capabilities: { ...limited.capabilities, backward: 'inference only' } };
    const declaredResults = await runCase(declared, hand);
    expect(declaredResults.find((r) => r.check === 'backward')).toMatchObject({ status: 'skip', reason: 'backward: inference only' });
  });
});

describe('BackendRegistry', () => {
  it('resolves by name and lists the known names for an unknown one', () => {
    const registry = new BackendRegistry([{ name: 'reference', create: async () => referenceBackend() }]);
    expect(registry.get('reference').name).toBe('reference');
    expect(() => registry.get('tfjs-gpu')).toThrow('unknown backend "tfjs-gpu"; known backends: reference');
    expect(() => registry.register({ name: 'reference', create: async () => referenceBackend() })).toThrow(/twice/);
  });
});
