/** Command-line flags of `pnpm bench:train`. */
import { parseArgs } from 'node:util';
import { LinearConvError } from '@linearconv/core';
import { type ConfigurationId, configurationIds } from './configurations.js';
import type { ModelName } from './protocol.js';

export const models: readonly ModelName[] = ['base', 'vgg11'];

export interface BenchOptions {
  models: ModelName[];
  configurations: ConfigurationId[];
  /** Timed steps of each fast row; tfjs-cpu rows get fewer (configurations.ts). */
  steps: number;
  /** Untimed steps of each row first. */
  warmup: number;
  batch: number;
  /** A smoke run: few steps, batch 4 unless given; its output says it is not a measurement. */
  quick: boolean;
  /** Also run the rows skipped by default: VGG11 on tfjs-cpu (minutes a step), and tfjs-cpu with --quick. */
  all: boolean;
  /** After the timed steps, tf.profile one more step of every tfjs-wasm row: where its time goes, per kernel. */
  profile: boolean;
  seed: number;
}

export interface CliOptions extends BenchOptions {
  json: boolean;
  /** Where train-bench.json and train-bench.md go; default benchmarks/results/train-bench. */
  out?: string;
  help: boolean;
}

export const defaults = { steps: 15, warmup: 3, batch: 32, quick: { steps: 2, warmup: 1, batch: 4 } } as const;

export const usage = `Usage: pnpm bench:train [--json] [--models base,vgg11] [--configs ${configurationIds.join(',')}]
                       [--steps N] [--warmup N] [--batch N] [--quick] [--all] [--profile] [--out DIR]
One training step (batch ${defaults.batch}, Adam, softmax cross-entropy, 32×32×1, 10 classes) of Base and VGG11, Conv and
LinearConv, timed side by side: one worker process per configuration, steps interleaved round-robin.
  --json      print the results as JSON instead of the markdown table (progress goes to stderr)
  --models    default base,vgg11
  --configs   default all: ${configurationIds.join(', ')}
  --steps N   timed steps per row, default ${defaults.steps} (tfjs-cpu rows: about N/8, at least 1)
  --warmup N  untimed steps per row first, default ${defaults.warmup} (tfjs-cpu rows: none)
  --batch N   default ${defaults.batch}
  --quick     a smoke run, not a measurement: ${defaults.quick.steps} steps after ${defaults.quick.warmup} warm-up, batch ${defaults.quick.batch} unless given, no tfjs-cpu
  --all       also run VGG11 on tfjs-cpu (skipped by default: minutes a step), and tfjs-cpu with --quick
  --profile   after the timed steps, tf.profile one more step of each tfjs-wasm row: its slowest kernels
  --out DIR   where train-bench.json and train-bench.md go, default benchmarks/results/train-bench`;

/** Parses argv (without node and the script); bad input throws LinearConvError naming the flag. */
export function parseFlags(argv: readonly string[]): CliOptions {
  // `pnpm bench:train -- --json` hands the script a literal `--` first.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: 'boolean' },
        models: { type: 'string' },
        configs: { type: 'string' },
        steps: { type: 'string' },
        warmup: { type: 'string' },
        batch: { type: 'string' },
        quick: { type: 'boolean' },
        all: { type: 'boolean' },
        profile: { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    // parseArgs' message names the flag ("Unknown option '--foo'", "Option '--steps <value>' argument missing").
    const flag = /'(-[^' ]+)/.exec((e as Error).message)?.[1] ?? 'arguments';
    throw new LinearConvError(flag, (e as Error).message);
  }
  const quick = values.quick === true;
  const count = (flag: string, fallback: number, min: number) => {
    const text = values[flag] as string | undefined;
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min) throw new LinearConvError(`--${flag}`, `must be an integer ≥ ${min}, got '${text}'`);
    return Number(text);
  };
  const list = <T extends string>(flag: string, allowed: readonly T[]): T[] => {
    const text = values[flag] as string | undefined;
    if (text === undefined) return [...allowed];
    const items = text.split(',').map((s) => s.trim());
    for (const item of items) {
      if (!allowed.includes(item as T)) throw new LinearConvError(`--${flag}`, `'${item}' is not one of ${allowed.join(', ')}`);
    }
    if (new Set(items).size !== items.length) throw new LinearConvError(`--${flag}`, `'${text}' names one twice`);
    // Table order, whatever the order given.
    return allowed.filter((a) => items.includes(a));
  };
  const preset = quick ? defaults.quick : defaults;
  return {
    json: values.json === true,
    models: list('models', models),
    configurations: list('configs', configurationIds),
    steps: count('steps', preset.steps, 1),
    warmup: count('warmup', preset.warmup, 0),
    batch: count('batch', preset.batch, 1),
    quick,
    all: values.all === true,
    profile: values.profile === true,
    seed: 1,
    out: values.out as string | undefined,
    help: values.help === true,
  };
}
