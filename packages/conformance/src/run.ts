import { describe, LinearConvError, type LinearConvWeights, type Tensor } from '@linearconv/core';
import type { Backend, Capability } from './backend.js';
import type { CaseTensor, ConformanceCase } from './case.js';
import { type Comparison, combine, compareArrays } from './compare.js';
import { toleranceFor } from './tolerance.js';
import { requireBackend, requireCase } from './validate.js';

export type Check = 'filters' | 'output' | 'correlation' | 'backward';
export const CHECKS: readonly Check[] = Object.freeze(['filters', 'output', 'correlation', 'backward']);

export interface CheckResult {
  readonly case: string;
  readonly backend: string;
  readonly check: Check;
  readonly status: 'pass' | 'fail' | 'skip';
  /** Largest absolute error over everything the check compared; null when nothing was compared. */
  readonly maxAbsError: number | null;
  readonly reason?: string;
}

/** The checks a case asks for: `output` always, the others when the case has their expectation. */
export function checksOf(kase: ConformanceCase): Check[] {
  requireCase(kase);
  return CHECKS.filter((check) => check === 'output' || kase.expected[check] !== undefined);
}

/** Why `backend` cannot run `check` on `kase`, or undefined when it can. */
export function skipReason(backend: Backend, kase: ConformanceCase, check: Check): string | undefined {
  requireBackend(backend);
  requireCase(kase);
  requireCheck(check);
  const needs: Capability[] = [];
  if (kase.spec.groups > 1) needs.push('groups');
  if (kase.spec.dilation.some((d) => d > 1)) needs.push('dilation');
  if (kase.spec.coefficients.kind === 'lowRank') needs.push('lowRank');
  if (check === 'backward' || check === 'correlation') needs.push(check);
  // A declared capability's reason comes first: it says why, a missing method only that.
  for (const need of needs) {
    const support = backend.capabilities[need];
    if (support !== true) return `${need}: ${support}`;
  }
  if (check === 'backward' && !backend.backward) return 'backward: the backend has no backward';
  if (check === 'correlation' && !backend.correlation) return 'correlation: the backend has no correlation';
  return undefined;
}

/** Runs one check of one case; a thrown error is a failure with its message, never a crash. */
export async function runCheck(backend: Backend, kase: ConformanceCase, check: Check): Promise<CheckResult> {
  requireBackend(backend);
  requireCase(kase);
  requireCheck(check);
  if (!checksOf(kase).includes(check)) throw new LinearConvError('check', `"${check}": case "${kase.name}" has no expected ${check}`);
  const base = { case: kase.name, backend: backend.name, check };
  const reason = skipReason(backend, kase, check);
  if (reason !== undefined) return { ...base, status: 'skip', maxAbsError: null, reason };
  let result: Comparison;
  try {
    result = await compute(backend, kase, check);
  } catch (e) {
    return { ...base, status: 'fail', maxAbsError: null, reason: `threw ${(e as Error)?.message ?? String(e)}` };
  }
  return {
    ...base,
    status: result.pass ? 'pass' : 'fail',
    maxAbsError: result.maxAbsError,
    ...(result.reason !== undefined && { reason: result.reason }),
  };
}

/** Every applicable check of a case, in order. */
export async function runCase(backend: Backend, kase: ConformanceCase): Promise<CheckResult[]> {
  requireBackend(backend);
  requireCase(kase);
  const results: CheckResult[] = [];
  for (const check of checksOf(kase)) results.push(await runCheck(backend, kase, check));
  return results;
}

async function compute(backend: Backend, kase: ConformanceCase, check: Check): Promise<Comparison> {
  const tolerance = toleranceFor(backend, kase);
  const weights = float32Weights(kase);
  const input = float32(kase.input);
  const expected = kase.expected;
  switch (check) {
    case 'filters':
      return compareArrays(await backend.compose(kase.spec, weights), expected.filters!.data, tolerance);
    case 'output': {
      const output = await backend.forward(kase.spec, weights, input);
      return combine([
        ['shape', sameShape(output.shape, expected.output.shape)],
        ['output', compareArrays(output.data, expected.output.data, tolerance)],
      ]);
    }
    case 'correlation': {
      const want = expected.correlation!;
      const got = await backend.correlation!(weights.primary, kase.spec.primaryFilters);
      return combine([
        ['value', compareArrays([got.value], [want.value], tolerance)],
        ['primaryGrad', compareArrays(got.grad, want.primaryGrad.data, tolerance)],
      ]);
    }
    case 'backward': {
      const want = expected.backward!;
      const got = await backend.backward!(kase.spec, weights, input, float32(want.outputGrad));
      const parts: [string, Comparison][] = [
        ['inputGrad shape', sameShape(got.inputGrad.shape, want.inputGrad.shape)],
        ['inputGrad', compareArrays(got.inputGrad.data, want.inputGrad.data, tolerance)],
      ];
      for (const name of ['primaryGrad', 'coefficientsGrad', 'columnGrad', 'rowGrad', 'biasGrad'] as const) {
        const w = want[name];
        if (w === undefined) continue;
        const g = got[name];
        parts.push([name, g === undefined ? missing() : compareArrays(g, w.data, tolerance)]);
      }
      return combine(parts);
    }
  }
}

function requireCheck(check: unknown): asserts check is Check {
  if (!CHECKS.includes(check as Check)) throw new LinearConvError('check', `must be one of ${CHECKS.join(', ')}, got ${describe(check)}`);
}

function sameShape(actual: readonly number[], expected: readonly number[]): Comparison {
  const same = actual.length === expected.length && actual.every((d, i) => d === expected[i]);
  return same
    ? { pass: true, maxAbsError: 0 }
    : { pass: false, maxAbsError: Number.POSITIVE_INFINITY, reason: `is [${actual.join(', ')}], expected [${expected.join(', ')}]` };
}

function missing(): Comparison {
  return { pass: false, maxAbsError: Number.POSITIVE_INFINITY, reason: 'was not returned' };
}

function float32(t: CaseTensor): Tensor<Float32Array> {
  return { shape: [...t.shape], data: Float32Array.from(t.data) };
}

/** Fresh float32 copies for every call, so a backend that mutates cannot affect the next check. */
function float32Weights(kase: ConformanceCase): LinearConvWeights<Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(kase.weights)) if (t) out[name] = Float32Array.from(t.data);
  return out as unknown as LinearConvWeights<Float32Array>;
}
