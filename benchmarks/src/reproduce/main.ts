/**
 * `pnpm reproduce`: the paper's Base on Fashion-MNIST and MNIST digits as Conv, -L, -Lr and
 * -LRr. Prints the plan, a progress bar per epoch and the table; writes results.json,
 * results.md and the filter-correlation heatmaps.
 */
import { fileURLToPath } from 'node:url';
import { duration } from './progress.js';
import { parseFlags, usage } from './flags.js';
import { resultTitle, smokeNote, textTable, writeReport } from './report.js';
import { plan, reproduce, SECONDS_PER_STEP } from './reproduce.js';
import { runKind } from './run-kind.js';

let flags: ReturnType<typeof parseFlags>;
try {
  flags = parseFlags(process.argv.slice(2));
} catch (e) {
  console.error(`${(e as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (flags.help) {
  console.log(usage);
  process.exit(0);
}

const { out, banks, help: _, ...options } = flags;
const dir = out ?? fileURLToPath(new URL('../../results/reproduce/', import.meta.url));
const p = plan(options);
console.log(
  `${resultTitle(runKind(p.stepsPerRun))}. Budget ${options.budget}: ${options.datasets.join(' + ')} × ${options.variants.join(', ')} × seeds ${options.seeds.join(', ')} = ${p.runs} run${p.runs === 1 ? '' : 's'} ` +
    `of ${options.epochs} epoch${options.epochs > 1 ? 's' : ''} on ${options.train} images (test ${options.test}): ` +
    `${p.steps} training steps at batch 50, about ${duration(p.estimatedSeconds)} at ~${SECONDS_PER_STEP} s a step.`,
);
const result = await reproduce({ ...options, progress: process.stdout, command: `pnpm reproduce ${process.argv.slice(2).join(' ')}`.trim() });
console.log(`\n${resultTitle(result.kind)}\n\n${textTable(result.summary, result)}\n`);
if (result.kind === 'smoke') console.log(`${smokeNote(result)}\n`);
console.log(`Total ${duration(result.totalSeconds)}.`);
const files = await writeReport(result, dir, { banks });
console.log(`Wrote ${files.length} files to ${dir}: ${files.join(', ')}`);
