import { describe, expect, it } from 'vitest';
import type { Backend, BackendFactory } from './backend.js';
import { committedCases } from './committed-cases.js';
import { referenceBackend, referenceFactory } from './reference-backend.js';
import { BackendRegistry } from './registry.js';
import { runConformance } from './run-conformance.js';
import { checksOf, runCase } from './run.js';

const cases = committedCases().slice(0, 3);
const broken: BackendFactory = {
  name: 'broken',
  create: async () => {
    throw new Error('no adapter here');
  },
};

describe('runConformance', () => {
  it('runs every case on every backend, as runCase does, counts, and reports a backend that cannot start as unavailable', async () => {
    const registry = new BackendRegistry([referenceFactory, broken]);
    const progress: [number, number, string][] = [];
    const report = await runConformance(registry, { backends: ['broken', 'reference'], cases, onCase: (...p) => progress.push(p) });
    const expected = [];
    for (const kase of cases) expected.push(...(await runCase(referenceBackend(), kase)));
    const skipped = cases.flatMap((kase) =>
      checksOf(kase).map((check) => ({ case: kase.name, backend: 'broken', check, status: 'skip', maxAbsError: null, reason: 'backend unavailable: no adapter here' })),
    );
    expect(report).toEqual({
      passed: expected.filter((r) => r.status === 'pass').length,
      failed: 0,
      skipped: skipped.length + expected.filter((r) => r.status === 'skip').length,
      results: [...skipped, ...expected],
      unavailable: [{ backend: 'broken', reason: 'no adapter here' }],
    });
    expect(report.passed).toBeGreaterThan(0);
    // The broken backend's cases count as done before the reference's start.
    expect(progress).toEqual(cases.map((c, i) => [cases.length + i, 2 * cases.length, `reference ${c.name}`]));
  });

  it('stops before any case runs when onUnavailable throws, and disposes the backends it started', async () => {
    let disposed = 0;
    let ran = 0;
    const counting: BackendFactory = {
      name: 'counting',
      create: async (): Promise<Backend> => {
        const reference = referenceBackend();
        return {
          ...reference,
          name: 'counting',
          forward: (...args) => {
            ran++;
            return reference.forward(...args);
          },
          dispose: () => void disposed++,
        };
      },
    };
    const registry = new BackendRegistry([counting, broken]);
    const run = runConformance(registry, {
      backends: ['counting', 'broken'],
      cases,
      onUnavailable: (backend, reason) => {
        throw new Error(`${backend}: cannot start: ${reason}`);
      },
    });
    await expect(run).rejects.toThrow('broken: cannot start: no adapter here');
    expect([ran, disposed]).toEqual([0, 1]);
  });

  it('refuses an unknown backend and what is not a list of cases, with LinearConvError', async () => {
    const registry = new BackendRegistry([referenceFactory]);
    await expect(runConformance(registry, { backends: ['nope'], cases })).rejects.toThrow(/^backend: unknown backend "nope"; known backends: reference$/);
    await expect(runConformance(registry, { backends: ['reference'], cases: 'all' as never })).rejects.toThrow(/^cases: must be a list of conformance cases, got /);
    await expect(runConformance(registry, { backends: ['reference'], cases: [{ name: 'x' }] as never })).rejects.toThrow(/^cases\[0\]\.spec: /);
    await expect(runConformance(registry, undefined as never)).rejects.toThrow(/^backends: must be a list of backend names/);
  });
});
