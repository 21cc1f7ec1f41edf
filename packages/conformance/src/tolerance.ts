import type { Backend } from './backend.js';
import type { ConformanceCase, ExpectedPrecision, Tolerance } from './case.js';

/**
 * What writing an expected value at a precision may have cost. float32 rounds to the nearest
 * float32, within half an ulp (2^-24 relative); one ulp (2^-23) leaves margin for measuring it
 * against the written value, and 2^-149, float32's smallest step, covers subnormals. Values
 * written at float64 precision (15+ significant digits) cost nothing measurable.
 */
export const EXPECTED_ROUNDING: Readonly<Record<ExpectedPrecision, Tolerance>> = Object.freeze({
  float32: Object.freeze({ atol: 2 ** -149, rtol: 2 ** -23 }),
  float64: Object.freeze({ atol: 0, rtol: 0 }),
});

/**
 * The tolerance a check of `kase` runs under: the case's own when it sets one; otherwise the
 * backend's (its own arithmetic, accumulation included) plus the rounding of how the case's
 * expected values were written (float32 when the case does not say). So the float64 reference
 * keeps its 1e-9 check on float64-written cases and is not failed by float32 rounding on others.
 */
export function toleranceFor(backend: Pick<Backend, 'tolerance'>, kase: Pick<ConformanceCase, 'tolerance' | 'expectedPrecision'>): Tolerance {
  if (kase.tolerance) return kase.tolerance;
  const rounding = EXPECTED_ROUNDING[kase.expectedPrecision ?? 'float32'];
  return { atol: backend.tolerance.atol + rounding.atol, rtol: backend.tolerance.rtol + rounding.rtol };
}
