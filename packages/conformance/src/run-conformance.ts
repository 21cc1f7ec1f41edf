import { describe, LinearConvError } from '@linearconv/core';
import type { Backend } from './backend.js';
import type { ConformanceCase } from './case.js';
import type { BackendRegistry } from './registry.js';
import { type CheckResult, checksOf, runCase } from './run.js';
import { requireCase } from './validate.js';

/** What `linearconv conformance --json` prints and the lab shows: every check of every case on every backend. */
export interface ConformanceReport {
  passed: number;
  failed: number;
  skipped: number;
  results: CheckResult[];
  /** Backends that could not be started, with why; their checks are reported as skipped. */
  unavailable: { backend: string; reason: string }[];
}

export interface ConformanceOptions {
  /** Names in the registry, in the order they run; an unknown one throws LinearConvError before anything starts. */
  readonly backends: readonly string[];
  readonly cases: readonly ConformanceCase[];
  /** Before each case on each backend: how many of `total` are done, and which one starts. */
  readonly onCase?: (done: number, total: number, what: string) => void;
  /**
   * A backend could not start. By default it is reported unavailable and its checks skipped; a
   * caller that throws here (the CLI, for a backend named on its command line) stops the run
   * before any case runs, with every started backend disposed.
   */
  readonly onUnavailable?: (backend: string, reason: string) => void;
}

/**
 * Starts every backend first (so one that cannot start is known before minutes are spent on the
 * others), then runs every case on each, and counts. Browser-safe: the lab runs it too.
 */
export async function runConformance(registry: BackendRegistry, options: ConformanceOptions): Promise<ConformanceReport> {
  if (!Array.isArray(options?.backends)) throw new LinearConvError('backends', `must be a list of backend names, got ${describe(options?.backends)}`);
  if (!Array.isArray(options.cases)) throw new LinearConvError('cases', `must be a list of conformance cases, got ${describe(options.cases)}`);
  const factories = options.backends.map((name) => registry.get(name));
  for (const [i, kase] of options.cases.entries()) requireCase(kase, `cases[${i}]`);
  const report: ConformanceReport = { passed: 0, failed: 0, skipped: 0, results: [], unavailable: [] };
  const total = factories.length * options.cases.length;
  let done = 0;
  const started: Backend[] = [];
  try {
    const backends: (Backend | { name: string; reason: string })[] = [];
    for (const factory of factories) {
      try {
        const backend = await factory.create();
        started.push(backend);
        backends.push(backend);
      } catch (e) {
        const reason = (e as Error)?.message ?? String(e);
        options.onUnavailable?.(factory.name, reason);
        backends.push({ name: factory.name, reason });
      }
    }
    for (const backend of backends) {
      if ('reason' in backend) {
        report.unavailable.push({ backend: backend.name, reason: backend.reason });
        for (const kase of options.cases) report.results.push(...unavailableChecks(backend.name, kase, backend.reason));
        done += options.cases.length;
      } else {
        for (const kase of options.cases) {
          options.onCase?.(done, total, `${backend.name} ${kase.name}`);
          report.results.push(...(await runCase(backend, kase)));
          done++;
        }
      }
    }
  } finally {
    for (const backend of started) await backend.dispose();
  }
  for (const r of report.results) {
    if (r.status === 'pass') report.passed++;
    else if (r.status === 'fail') report.failed++;
    else report.skipped++;
  }
  return report;
}

function unavailableChecks(backend: string, kase: ConformanceCase, reason: string): CheckResult[] {
  return checksOf(kase).map((check) => ({
    case: kase.name,
    backend,
    check,
    status: 'skip',
    maxAbsError: null,
    reason: `backend unavailable: ${reason}`,
  }));
}
