/**
 * `pnpm reproduce`: the paper's Base on Fashion-MNIST and MNIST digits as Conv, -L, -Lr and
 * -LRr. Prints the plan, a progress bar per epoch and the table; writes results.json,
 * results.md and the filter-correlation heatmaps after every finished run, and keeps a
 * checkpoint in <out>/checkpoint after every epoch so that `--resume` can continue a stopped run.
 */
import { fileURLToPath } from 'node:url';
import { flagsOrExit } from '../command-line.js';
import { checkpointDir } from './checkpoint.js';
import { parseFlags, usage } from './flags.js';
import { duration } from './progress.js';
import { resultTitle, smokeNote, textTable, writeReport } from './report.js';
import { plan, reproduce, SECONDS_PER_STEP } from './reproduce.js';
import { runKind } from './run-kind.js';

const flags = flagsOrExit(parseFlags, usage);

const { out, banks, help: _, penaltyPhase, ...options } = flags;
const dir = out ?? fileURLToPath(new URL('../../results/reproduce/', import.meta.url));
const p = plan(options);
const sizes = options.datasets.map((d) => `${d} ${options.sizes[d]!.train}/${options.sizes[d]!.test}`).join(', ');
console.log(
  `${resultTitle(runKind(Math.min(...Object.values(p.stepsPerRun))), options.datasets)}. Budget ${options.budget}: ${options.datasets.join(' + ')} × ${options.variants.join(', ')} × seeds ${options.seeds.join(', ')} = ${p.runs} run${p.runs === 1 ? '' : 's'} ` +
    `of ${options.epochs} epoch${options.epochs > 1 ? 's' : ''} (train/test images: ${sizes}), penalty phase ${penaltyPhase}: ` +
    `${p.steps} training steps at batch 50, very roughly ${duration(p.estimatedSeconds)} at ~${SECONDS_PER_STEP} s a step on one thread.`,
);
let result: Awaited<ReturnType<typeof reproduce>>;
try {
  result = await reproduce({
    ...options,
    checkpoint: checkpointDir(dir),
    progress: process.stdout,
    command: `pnpm reproduce ${process.argv.slice(2).join(' ')}`.trim(),
    onRun: async (partial) => {
      if (!partial.complete) await writeReport(partial, dir, { banks });
    },
    onCheckpoint: ({ epochsDone }) => console.log(`  checkpoint after epoch ${epochsDone}: ${checkpointDir(dir)}`),
  });
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
console.log(`\n${resultTitle(result.kind, result.settings.datasets)}\n\n${textTable(result.summary, result)}\n`);
if (result.kind === 'smoke') console.log(`${smokeNote(result)}\n`);
console.log(`Total ${duration(result.totalSeconds)}${result.sessions > 1 ? ` over ${result.sessions} sessions` : ''}.`);
const files = await writeReport(result, dir, { banks });
console.log(`Wrote ${files.length} files to ${dir}: ${files.join(', ')}`);
// The threaded wasm backend's workers would keep Node running.
process.exit(0);
