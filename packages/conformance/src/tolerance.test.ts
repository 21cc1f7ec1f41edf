import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOLERANCES } from './backend.js';
import { CaseFormatError, type ConformanceCase, parseCase } from './case.js';
import { committedCasesDir } from './cases.js';
import { committedCases } from './committed-cases.js';
import { referenceBackend } from './reference-backend.js';
import { runCase } from './run.js';
import { EXPECTED_ROUNDING, toleranceFor } from './tolerance.js';

const backend = referenceBackend();
const hand = JSON.parse(readFileSync(join(committedCasesDir, 'hand-2x2-ones.json'), 'utf8'));
const cases = committedCases();
const float32Written = cases.filter((c) => c.expectedPrecision === 'float32' && !c.name.startsWith('hand-'));

/** The same case, its expected values re-labelled (not changed) as written at `precision`. */
const labelled = (kase: ConformanceCase, precision: 'float32' | 'float64'): ConformanceCase => ({ ...kase, expectedPrecision: precision });

describe('toleranceFor', () => {
  it("is the case's own tolerance when it has one; otherwise the backend's plus the rounding of how expected was written", () => {
    const own = { atol: 0.5, rtol: 0.25 };
    expect(toleranceFor(backend, { tolerance: own, expectedPrecision: 'float32' })).toBe(own);
    expect(toleranceFor(backend, { expectedPrecision: 'float64' })).toEqual(TOLERANCES.float64);
    const float32 = { atol: TOLERANCES.float64.atol + 2 ** -149, rtol: TOLERANCES.float64.rtol + 2 ** -23 };
    expect(toleranceFor(backend, { expectedPrecision: 'float32' })).toEqual(float32);
    // A case that does not say is float32-written.
    expect(toleranceFor(backend, {})).toEqual(float32);
    expect(EXPECTED_ROUNDING.float64).toEqual({ atol: 0, rtol: 0 });
  });

  it('parses expectedPrecision: float32 when absent, float32 or float64 as given, nothing else', () => {
    expect(parseCase('hand.json', hand).expectedPrecision).toBe('float32');
    for (const precision of ['float32', 'float64'] as const) {
      expect(parseCase('hand.json', { ...hand, expectedPrecision: precision }).expectedPrecision).toBe(precision);
    }
    expect(() => parseCase('hand.json', { ...hand, expectedPrecision: 'float16' })).toThrow(
      new CaseFormatError('hand.json', 'expectedPrecision', 'must be "float32" or "float64", got "float16"'),
    );
    expect(cases.filter((c) => c.expectedPrecision === 'float64').length).toBeGreaterThanOrEqual(30);
  });
});

describe('float32-written cases on the reference', () => {
  it('are committed: at least three, expected values all float32', () => {
    expect(float32Written.map((c) => c.name).length).toBeGreaterThanOrEqual(3);
    for (const kase of float32Written) {
      expect(kase.expected.output.data.every((v) => Math.fround(v) === v)).toBe(true);
    }
  });

  it('pass every check under the derived tolerance', async () => {
    for (const kase of float32Written) {
      const results = await runCase(backend, kase);
      expect(results.length).toBe(4);
      expect(results.filter((r) => r.status !== 'pass'), kase.name).toEqual([]);
    }
  });

  it('fail most checks under the float64 rule alone (what the reference did before)', async () => {
    let checks = 0;
    let failed = 0;
    for (const kase of float32Written) {
      for (const r of await runCase(backend, labelled(kase, 'float64'))) {
        checks++;
        if (r.status === 'fail') failed++;
      }
    }
    expect(failed).toBeGreaterThan(checks / 2);
  });

  it('still fail an expected value off by four float32 ulps: the allowance is rounding, not slack', async () => {
    const kase = float32Written[0];
    const data = Float64Array.from(kase.expected.output.data);
    const i = data.findIndex((v) => Math.abs(v) > 0.1);
    data[i] = Math.fround(data[i] * (1 + 4 * 2 ** -23));
    const off = { ...kase, expected: { ...kase.expected, output: { ...kase.expected.output, data } } };
    const output = (await runCase(backend, off)).find((r) => r.check === 'output')!;
    expect(output.status).toBe('fail');
    expect(output.reason).toMatch(new RegExp(`value ${i} is`));
  });
});
