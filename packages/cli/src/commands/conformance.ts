import { parseArgs } from 'node:util';
import { CHECKS, type CheckResult, type ConformanceReport, runConformance } from '@linearconv/conformance';
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

// The report is built by runConformance (the lab builds the identical one); re-exported for the CLI's importers.
export type { ConformanceReport } from '@linearconv/conformance';

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
  const backends = values.backend ?? registry.names;
  try {
    for (const name of backends) registry.get(name);
  } catch (e) {
    if (e instanceof LinearConvError) throw new UsageError(`--backend: ${e.rule}`);
    throw e;
  }
  const cases = loadCases(values.cases);
  if (cases.length === 0) throw new UsageError(`--cases: no case files in ${(values.cases ?? []).join(', ')}`);
  // Every backend starts before any runs: one named with --backend that cannot start is an error
  // (exit 2) before minutes are spent on the others.
  const named = values.backend !== undefined;
  const report = await runConformance(registry, {
    backends,
    cases,
    onUnavailable: (backend, reason) => {
      if (named) throw new UsageError(`--backend ${backend}: cannot start: ${reason}`);
    },
  });
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
