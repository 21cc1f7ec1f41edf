import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LinearConvError } from '@linearconv/core';
import { knownBackends } from '../backends.js';
import { latencyChartSvg } from '../bench/chart.js';
import { type BenchLayer, QUICK_LAYERS, selectLayers, standardLayers } from '../bench/layers.js';
import { benchMarkdown } from '../bench/markdown.js';
import { BENCH_FILES, DEFAULT_PATHS } from '../bench/paths.js';
import { benchProgress } from '../bench/progress-bar.js';
import type { BenchReport } from '../bench/result.js';
import { runBench } from '../bench/run-bench.js';
import { benchText } from '../bench/text.js';
import type { TimingSettings } from '../bench/timing.js';
import { EXIT, type Io, processIo, UsageError } from '../io.js';
import { parsePositive } from '../args.js';

export const benchUsage = `linearconv bench [--quick] [--backend NAME ...] [--batch N ...] [--layer NAME ...] [--out DIR] [--json]

Times LinearConv against a plain conv of the same shape (holding the composed filters) on every
backend: the distinct conv layers of ResNet-18 and VGG11 (CIFAR) and representative MobileNetV2
pointwise and depthwise layers, at batch 1 and 32. Per case: median latency, GFLOP/s, the
LinearConv/conv ratio, the max error against the float64 reference, and a control: a second copy
of the plain conv timed alongside, whose ratio to the conv is the noise of the measurement (the
summary says where it strays beyond ±5 %). Slow backends skip the large cases (reported, not
dropped); a backend that cannot start is listed as unavailable.
--quick: 4 layers at batch 1, short budgets (under a minute): a check that every backend runs, not
a speed measurement (the control says how far its figures can be read). Writes bench.json, bench.md and bench.svg to DIR (default
./${DEFAULT_PATHS.benchDir}/ in the current directory). Progress on stderr: a bar on a terminal,
one line per case otherwise. --json prints the report object instead of the table.
Exit status: 0, or 1 when a case failed on a backend, 2 for bad arguments.`;

// The budget is for the three operations of a case together (conv, linearconv, control). Quick
// runs fewer cases, so it can afford more runs of each than it once did (3 to 20 in 150 ms): with
// those, same-model controls strayed by up to ×0.37–×3.07 on this 2-core machine; with these,
// mostly within ±5 %, in about the same time (36.6 s for every backend at load average 3).
const TIMING: Record<'full' | 'quick', TimingSettings> = {
  full: { warmup: 2, minRuns: 3, maxRuns: 50, budgetMs: 750 },
  quick: { warmup: 2, minRuns: 5, maxRuns: 200, budgetMs: 600 },
};

export async function benchCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      backend: { type: 'string', multiple: true },
      batch: { type: 'string', multiple: true },
      layer: { type: 'string', multiple: true },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const registry = knownBackends();
  const backends = values.backend ?? registry.names;
  const batches = (values.batch ?? (values.quick ? ['1'] : ['1', '32'])).map((text) => parsePositive('batch', text));
  let layers: BenchLayer[];
  try {
    for (const name of backends) registry.get(name);
    layers = values.layer ? selectLayers(values.layer) : values.quick ? selectLayers(QUICK_LAYERS) : standardLayers();
  } catch (e) {
    if (e instanceof LinearConvError) throw new UsageError(e.rule);
    throw e;
  }
  const out = values.out ?? DEFAULT_PATHS.benchDir;

  // Only the process's own stderr can be a terminal; an Io passed in (tests) gets the lines.
  const terminal = io === processIo && process.stderr.isTTY ? process.stderr : undefined;
  const progress = benchProgress((line) => io.err(line), terminal);
  let report: BenchReport;
  try {
    report = await runBench(registry, {
      layers,
      batches: [...new Set(batches)],
      backends,
      timing: TIMING[values.quick ? 'quick' : 'full'],
      seed: 1,
      quick: values.quick,
      command: ['linearconv', 'bench', ...argv].join(' '),
      progress: progress.line,
      onCaseStart: progress.start,
    });
  } finally {
    progress.stop();
  }
  const files = await writeBenchFiles(report, out);
  if (values.json) {
    io.out(JSON.stringify(report));
    io.err(`wrote ${files.join(', ')}`);
  } else {
    io.out(`${benchText(report)}\n\nwrote ${files.join(', ')}`);
  }
  return report.omitted.some((o) => o.reason.startsWith('failed')) ? EXIT.failed : EXIT.ok;
}

/** bench.json, bench.md and bench.svg in `dir`; returns their paths. */
export async function writeBenchFiles(report: BenchReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    [BENCH_FILES.json, benchJson(report)],
    [BENCH_FILES.markdown, benchMarkdown(report)],
    [BENCH_FILES.chart, `${latencyChartSvg(report)}\n`],
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}

/** Indented, but one line per result and per omission: a full run has hundreds of them. */
function benchJson(report: BenchReport): string {
  const rows = (items: readonly object[]) => (items.length ? `[\n${items.map((i) => `    ${JSON.stringify(i)}`).join(',\n')}\n  ]` : '[]');
  return `${JSON.stringify({ ...report, results: '@results', omitted: '@omitted' }, null, 2)
    .replace('"@results"', () => rows(report.results))
    .replace('"@omitted"', () => rows(report.omitted))}\n`;
}
