import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendFactory } from './backend.js';
import { loadCases } from './cases.js';
import { checksOf, runCheck } from './run.js';

export interface ConformanceOptions {
  /** Case files or directories; the committed cases by default. */
  readonly cases?: readonly string[];
}

/**
 * Registers the shared suite for one backend: one test per case and check. A capability the
 * backend lacks shows as a skipped test carrying the reason, never as a pass.
 */
export function describeConformance(factory: BackendFactory, options: ConformanceOptions = {}): void {
  const cases = loadCases(options.cases);
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
export { describeReadmeSnippets } from './readme-snippets.js';
