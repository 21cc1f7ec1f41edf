import { LinearConvError } from '@linearconv/core';
import type { Tolerance } from './case.js';
import { requireNumbers, requireTolerance } from './validate.js';

export interface Comparison {
  readonly pass: boolean;
  /** Largest |actual − expected|; NaN when a value is not finite; Infinity on a length mismatch. */
  readonly maxAbsError: number;
  /** Why it failed, for the report. */
  readonly reason?: string;
}

/** |actual − expected| ≤ atol + rtol·|expected| everywhere; non-finite values never pass. */
export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: Tolerance): Comparison {
  requireNumbers(actual, 'actual');
  requireNumbers(expected, 'expected');
  requireTolerance(tolerance, 'tolerance');
  if (actual.length !== expected.length) {
    return { pass: false, maxAbsError: Number.POSITIVE_INFINITY, reason: `has ${actual.length} values, expected ${expected.length}` };
  }
  let maxAbsError = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!Number.isFinite(a)) {
      if (Object.is(a, e)) continue;
      return { pass: false, maxAbsError: Number.NaN, reason: `value ${i} is ${a}, expected ${e}` };
    }
    const error = Math.abs(a - e);
    if (error > maxAbsError) maxAbsError = error;
    const excess = error - (tolerance.atol + tolerance.rtol * Math.abs(e));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst < 0) return { pass: true, maxAbsError };
  return {
    pass: false,
    maxAbsError,
    reason: `value ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${tolerance.atol}, rtol ${tolerance.rtol})`,
  };
}

/** Several named comparisons folded into one: the worst error, the first failure. */
export function combine(parts: ReadonlyArray<readonly [string, Comparison]>): Comparison {
  if (!Array.isArray(parts)) throw new LinearConvError('parts', 'must be an array of [name, comparison] pairs');
  parts.forEach((part, i) => {
    if (!Array.isArray(part) || typeof part[0] !== 'string' || typeof part[1]?.pass !== 'boolean' || typeof part[1].maxAbsError !== 'number') {
      throw new LinearConvError(`parts[${i}]`, 'must be a [name, comparison] pair');
    }
  });
  let maxAbsError = 0;
  for (const [, c] of parts) maxAbsError = Number.isNaN(c.maxAbsError) || c.maxAbsError > maxAbsError ? c.maxAbsError : maxAbsError;
  const failed = parts.find(([, c]) => !c.pass);
  if (!failed) return { pass: true, maxAbsError };
  return { pass: false, maxAbsError, reason: `${failed[0]} ${failed[1].reason}` };
}
