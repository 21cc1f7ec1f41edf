import { parseArgs } from 'node:util';
import { type Backend, type BackendFactory, type CheckResult, CHECKS, type ConformanceCase, checksOf, runCase } from '@linearconv/conformance';
import { loadCases } from '@linearconv/conformance/node';
import { LinearConvError } from '@linearconv/core';
import { knownBackends } from '../backends.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { formatTable } from '../table.js';

export const conformanceUsage = `linearconv conformance [--cases PATH ...] [--backend NAME ...] [--json]

Runs conformance cases (the committed ones by default; PATH is a case file or a directory)
against backends (every known one by default; by default one that cannot start is reported as
unavailable and its checks as skipped). Exit status: 0 every check that ran passed; 1 a check
failed, or none ran (all skipped); 2 bad arguments, a malformed or unreadable case file, no case
files, or a backend named with --backend that cannot start (with its reason).`;

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
  const named = values.backend !== undefined;
  let factories: BackendFactory[];
  try {
    factories = (values.backend ?? registry.names).map((name) => registry.get(name));
  } catch (e) {
    if (e instanceof LinearConvError) throw new UsageError(`--backend: ${e.rule}`);
    throw e;
  }
  const cases = loadCases(values.cases);
  if (cases.length === 0) throw new UsageError(`--cases: no case files in ${(values.cases ?? []).join(', ')}`);
  const report: ConformanceReport = { passed: 0, failed: 0, skipped: 0, results: [], unavailable: [] };
  // Every backend starts before any runs: one named with --backend that cannot start is an error
  // (exit 2) before minutes are spent on the others.
  const started: Backend[] = [];
  try {
    const backends: (Backend | { name: string; reason: string })[] = [];
    for (const factory of factories) {
      try {
        const backend = await factory.create();
        started.push(backend);
        backends.push(backend);
      } catch (e) {
        const reason = (e as Error).message;
        if (named) throw new UsageError(`--backend ${factory.name}: cannot start: ${reason}`);
        backends.push({ name: factory.name, reason });
      }
    }
    for (const backend of backends) {
      if ('reason' in backend) {
        report.unavailable.push({ backend: backend.name, reason: backend.reason });
        for (const kase of cases) report.results.push(...unavailable(backend.name, kase, backend.reason));
      } else {
        for (const kase of cases) report.results.push(...(await runCase(backend, kase)));
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
  io.out(values.json ? JSON.stringify(report) : formatReport(report));
  const { status, note } = verdict(report);
  if (note) io.err(`linearconv conformance: ${note}`);
  return status;
}

/** The exit status of a run: a pass needs no failure and at least one check that ran, so a CI gate never passes on nothing. */
export function verdict(report: Pick<ConformanceReport, 'passed' | 'failed' | 'skipped'>): { status: number; note?: string } {
  if (report.failed > 0) return { status: EXIT.failed };
  if (report.passed === 0) return { status: EXIT.failed, note: `no check ran (${report.skipped} skipped), which is not a pass` };
  return { status: EXIT.ok };
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
