// Adds up the vitest JSON reports of every workspace package that has tests and prints
// `N passed, N failed[, N skipped]`. A package whose report is missing (its build or its test
// run died before vitest wrote one) counts as one failure, so nothing is silently dropped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The workspace's package folders, as pnpm-workspace.yaml lists them.
const dirs = [
  ...['packages', 'examples'].filter(existsSync).flatMap((root) => readdirSync(root).map((name) => join(root, name))),
  'benchmarks',
];
let passed = 0;
let failed = 0;
let skipped = 0;
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
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
