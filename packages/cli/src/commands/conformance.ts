import { parseArgs } from 'node:util';
import {
  type Backend,
  type CheckResult,
  CHECKS,
  type ConformanceCase,
  checksOf,
  loadCases,
  runCase,
} from '@linearconv/conformance';
import type { LinearConvError } from '@linearconv/core';
import { knownBackends } from '../backends.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { formatTable } from '../table.js';

export const conformanceUsage = `linearconv conformance [--cases PATH ...] [--backend NAME ...] [--json]

Runs conformance cases (the committed ones by default; PATH is a case file or a directory)
against backends (every known one by default). Exit status: 0 nothing failed, 1 a check
failed, 2 bad arguments or a malformed case file.`;

export interface ConformanceReport {
  passed: number;
  failed: number;
  skipped: number;
  results: CheckResult[];
  /** Backends that could not be started, with why; their checks are reported as skipped. */
  unavailable: { backend: string; reason: string }[];
}

export async function conformanceCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cases: { type: 'string', multiple: true },
      backend: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const registry = knownBackends();
  let factories: ReturnType<typeof registry.get>[];
  try {
    factories = (values.backend ?? registry.names).map((name) => registry.get(name));
  } catch (e) {
    throw new UsageError((e as LinearConvError).rule);
  }
  const cases = loadCases(values.cases);
  const report: ConformanceReport = { passed: 0, failed: 0, skipped: 0, results: [], unavailable: [] };
  for (const factory of factories) {
    let backend: Backend;
    try {
      backend = await factory.create();
    } catch (e) {
      const reason = (e as Error).message;
      report.unavailable.push({ backend: factory.name, reason });
      for (const kase of cases) report.results.push(...unavailable(factory.name, kase, reason));
      continue;
    }
    try {
      for (const kase of cases) report.results.push(...(await runCase(backend, kase)));
    } finally {
      await backend.dispose();
    }
  }
  for (const r of report.results) {
    if (r.status === 'pass') report.passed++;
    else if (r.status === 'fail') report.failed++;
    else report.skipped++;
  }
  io.out(values.json ? JSON.stringify(report) : formatReport(report));
  return report.failed > 0 ? EXIT.failed : EXIT.ok;
}

function unavailable(backend: string, kase: ConformanceCase, reason: string): CheckResult[] {
  return checksOf(kase).map((check) => ({
    case: kase.name,
    backend,
    check,
    status: 'skip',
    maxAbsError: null,
    reason: `backend unavailable: ${reason}`,
  }));
}

function formatReport(report: ConformanceReport): string {
  const rows = new Map<string, Map<string, CheckResult>>();
  for (const r of report.results) {
    const key = `${r.case}\u0000${r.backend}`;
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key)!.set(r.check, r);
  }
  const cell = (r: CheckResult | undefined) =>
    !r ? '' : r.status === 'pass' ? `pass ${formatError(r.maxAbsError)}` : r.status === 'fail' ? `FAIL ${formatError(r.maxAbsError)}` : 'skip';
  const table = formatTable(
    ['case', 'backend', ...CHECKS],
    [...rows].map(([key, checks]) => [...key.split('\u0000'), ...CHECKS.map((c) => cell(checks.get(c)))]),
  );
  const failures = report.results
    .filter((r) => r.status === 'fail')
    .map((r) => `FAIL ${r.case} / ${r.backend} / ${r.check}: ${r.reason}`);
  // Skips repeat one reason across many cases: one line per backend and reason.
  const skips = new Map<string, number>();
  for (const r of report.results) {
    if (r.status === 'skip') skips.set(`${r.backend}: ${r.reason}`, (skips.get(`${r.backend}: ${r.reason}`) ?? 0) + 1);
  }
  const notes = [...failures, ...[...skips].map(([reason, count]) => `skip ×${count} ${reason}`)];
  const summary = `${report.passed} passed, ${report.failed} failed${report.skipped ? `, ${report.skipped} skipped` : ''}`;
  return [table, '', ...notes, summary].join('\n');
}

function formatError(error: number | null): string {
  return error === null ? '' : error === 0 ? '0' : error.toExponential(1);
}
