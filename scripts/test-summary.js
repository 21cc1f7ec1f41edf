// Adds up the vitest JSON reports of every workspace package that has tests and prints
// `N passed, N failed[, N skipped]` as the last line. Before it, each package's test wall time and
// its slowest test, so slow growth shows, and a warning for any test that took more than a third of
// the default timeout (tests must stay far inside their timeouts when CI runs them on 2 cores).
// A package whose report is missing (its build or its test run died before vitest wrote one)
// counts as one failure, so nothing is silently dropped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SLOW_MS = 60_000 / 3; // vitest.shared.ts's testTimeout, divided by three

// The workspace's package folders, as pnpm-workspace.yaml lists them.
const dirs = [
  ...['packages', 'examples'].filter(existsSync).flatMap((root) => readdirSync(root).map((name) => join(root, name))),
  'benchmarks',
];
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
const slow = [];
for (const dir of dirs) {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
  const report = join(dir, 'reports', 'vitest.json');
  if (!existsSync(report)) {
    console.error(`${dir}: no test report (the package's build or tests did not run)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.success === false && r.numFailedTests === 0 ? 1 : 0);
  skipped += r.numPendingTests + r.numTodoTests;
  const files = r.testResults ?? [];
  const end = Math.max(r.startTime, ...files.map((f) => f.endTime ?? 0));
  const tests = files.flatMap((f) => (f.assertionResults ?? []).map((t) => ({ name: `${f.name.slice(f.name.indexOf(dir))} > ${t.fullName}`, ms: t.duration ?? 0 })));
  const slowest = tests.reduce((a, b) => (b.ms > a.ms ? b : a), { name: '-', ms: 0 });
  rows.push({ dir, seconds: (end - r.startTime) / 1000, tests: tests.length, slowest });
  slow.push(...tests.filter((t) => t.ms > SLOW_MS));
}

const total = rows.reduce((s, r) => s + r.seconds, 0);
console.log('\ntest wall time per package (vitest run, from its report):');
for (const r of rows.sort((a, b) => b.seconds - a.seconds)) {
  const share = total > 0 ? ((100 * r.seconds) / total).toFixed(0) : '0';
  console.log(`  ${r.dir.padEnd(26)} ${r.seconds.toFixed(1).padStart(7)} s ${share.padStart(3)} %  ${String(r.tests).padStart(4)} tests, slowest ${(r.slowest.ms / 1000).toFixed(1)} s: ${r.slowest.name}`);
}
console.log(`  ${'all packages'.padEnd(26)} ${total.toFixed(1).padStart(7)} s`);
// The reports do not carry a test's own timeout, so the warning names the default one.
for (const t of slow) console.log(`warning: ${t.name} took ${(t.ms / 1000).toFixed(1)} s, more than a third of the default ${SLOW_MS * 3 / 1000} s timeout (check the test's own, if it sets one)`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
