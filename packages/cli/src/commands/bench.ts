import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchLayer, type BenchReport, defaultBench, quickBench, runBench, selectLayers } from '@linearconv/conformance/bench';
import { nodeDevice } from '@linearconv/conformance/node';
import { LinearConvError } from '@linearconv/core';
import { parsePositive } from '../args.js';
import { knownBackends } from '../backends.js';
import { machine } from '../bench/machine.js';
import { benchMarkdown } from '../bench/markdown.js';
import { BENCH_FILES, DEFAULT_PATHS } from '../bench/paths.js';
import { benchProgress } from '../bench/progress-bar.js';
import { benchText } from '../bench/text.js';
import { EXIT, type Io, processIo, UsageError } from '../io.js';

export const benchUsage = `linearconv bench [--quick] [--backend NAME ...] [--batch N ...] [--layer NAME ...] [--out DIR] [--json]

Times LinearConv against a plain conv of the same shape (holding the composed filters) on every
backend: the distinct conv layers of ResNet-18 and VGG11 (CIFAR) and representative MobileNetV2
pointwise and depthwise layers, at batch 1 and 32. Per case: median latency, GFLOP/s, the
LinearConv/conv ratio, the max error against the float64 reference, and a control: a second copy
of the plain conv timed alongside, whose ratio to the conv is the noise of the measurement (the
summary says where it strays beyond ±5 %). Slow backends skip the large cases (reported, not
dropped); a backend that cannot start is listed as unavailable.
--quick: 4 layers at batch 1, short budgets (under a minute): a check that every backend runs, not
a speed measurement (the control says how far its figures can be read). Writes bench.json and bench.md to DIR (default
./${DEFAULT_PATHS.benchDir}/ in the current directory). Progress on stderr: a bar on a terminal,
one line per case otherwise. --json prints the report object instead of the table.
linearconv report draws the charts.
Exit status: 0, or 1 when a case failed on a backend, 2 for bad arguments.`;

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
  // The same presets as the lab's: --quick is quickBench, otherwise defaultBench.
  const preset = values.quick ? quickBench : defaultBench;
  const batches = values.batch ? values.batch.map((text) => parsePositive('batch', text)) : preset.batches;
  let layers: readonly BenchLayer[];
  try {
    for (const name of backends) registry.get(name);
    layers = values.layer ? selectLayers(values.layer) : preset.layers;
  } catch (e) {
    if (e instanceof LinearConvError) throw new UsageError(e.rule);
    throw e;
  }
  const out = values.out ?? DEFAULT_PATHS.benchDir;

  // Only the process's own stderr can be a terminal; an Io passed in (tests) gets the lines.
  const terminal = io === processIo && process.stderr.isTTY ? process.stderr : undefined;
  const progress = benchProgress((line) => io.err(line), terminal);
  const loadAtStart = loadavg()[0];
  let measured: BenchReport;
  try {
    measured = await runBench(registry, {
      layers,
      batches: [...new Set(batches)],
      backends,
      timing: preset.timing,
      seed: 1,
      quick: values.quick,
      command: ['linearconv', 'bench', ...argv].join(' '),
      device: nodeDevice(),
      progress: progress.line,
      onCaseStart: progress.start,
    });
  } finally {
    progress.stop();
  }
  // A Node run keeps the machine of @1 and @2 (with its load at the end too), after the device.
  const { format, command, date, device, ...rest } = measured;
  const report: BenchReport = { format, command, date, device, machine: machine(loadAtStart), ...rest };
  const files = await writeBenchFiles(report, out);
  if (values.json) {
    io.out(JSON.stringify(report));
    io.err(`wrote ${files.join(', ')}`);
  } else {
    io.out(`${benchText(report)}\n\nwrote ${files.join(', ')}`);
  }
  return report.omitted.some((o) => o.reason.startsWith('failed')) ? EXIT.failed : EXIT.ok;
}

/** bench.json and bench.md in `dir`; returns their paths. */
export async function writeBenchFiles(report: BenchReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    [BENCH_FILES.json, benchJson(report)],
    [BENCH_FILES.markdown, benchMarkdown(report)],
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
