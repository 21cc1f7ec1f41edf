import { describe as describeValue, LinearConvError, requireObject } from '@linearconv/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendFactory } from './backend.js';
import { loadCases } from './cases.js';
import { committedCases } from './committed-cases.js';
import { checksOf, runCheck } from './run.js';
import { requireFactory } from './validate.js';

export interface ConformanceOptions {
  /** Case files or directories; the committed cases by default. */
  readonly cases?: readonly string[];
}

/**
 * Registers the shared suite for one backend: one test per case and check. A capability the
 * backend lacks shows as a skipped test carrying the reason, never as a pass.
 */
export function describeConformance(factory: BackendFactory, options: ConformanceOptions = {}): void {
  requireFactory(factory);
  requireObject('options', options);
  if (options.cases !== undefined && !Array.isArray(options.cases)) {
    throw new LinearConvError('options.cases', `must be an array of case files or folders, got ${describeValue(options.cases)}`);
  }
  const cases = options.cases === undefined ? committedCases() : loadCases(options.cases);
  describe(`conformance: ${factory.name}`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await factory.create();
    });
    afterAll(async () => {
      await backend?.dispose();
    });
    for (const kase of cases) {
      describe(kase.name, () => {
        for (const check of checksOf(kase)) {
          it(check, async (context) => {
            const result = await runCheck(backend, kase, check);
            if (result.status === 'skip') context.skip(result.reason);
            expect(result.status, result.reason).toBe('pass');
          });
        }
      });
    }
  });
}
