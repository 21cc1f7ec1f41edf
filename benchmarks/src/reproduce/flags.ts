/** Command-line flags of `pnpm reproduce`: a budget sets the scale, explicit flags override it. */
import { parseArgs } from 'node:util';
import { checkSizes, type DatasetName, datasets } from './data.js';
import type { ReproduceOptions } from './reproduce.js';
import { PARITY_MIN_STEPS } from './run-kind.js';
import { type VariantName, variants } from './train.js';

export interface Budget {
  train: number;
  test: number;
  epochs: number;
  seeds: number;
}

/**
 * smoke: seconds, for tests. quick: the main job's smoke run, a few minutes on 2 cores (8 runs ×
 * 20 steps): every variant trains well above chance, and that is all it shows (run-kind.ts).
 * default: under 15 minutes on 2 cores (8 runs × 100 steps at ~0.8 s a step), the smallest
 * paper-parity run. full: hours; closer to the paper, still far from its 250 epochs on 60,000 images.
 */
export const budgets: Record<'smoke' | 'quick' | 'default' | 'full', Budget> = {
  smoke: { train: 100, test: 100, epochs: 1, seeds: 1 },
  quick: { train: 1000, test: 500, epochs: 1, seeds: 1 },
  default: { train: 2500, test: 1000, epochs: 2, seeds: 1 },
  full: { train: 8000, test: 2000, epochs: 10, seeds: 3 },
};

export interface CliOptions extends Omit<ReproduceOptions, 'progress' | 'command'> {
  /** Where results.json, results.md and the heatmaps go; default benchmarks/results/reproduce. */
  out?: string;
  /** Also draw every whole filter bank (large SVGs). */
  banks: boolean;
  help: boolean;
}

export const usage = `Usage: pnpm reproduce [--budget smoke|quick|default|full] [--train N] [--test N] [--epochs E] [--seeds S]
                      [--datasets fashion,digits] [--variants conv,L,Lr,LRr] [--data-seed N] [--out DIR] [--bank-heatmaps]
  --budget     the scale: smoke ${describe(budgets.smoke)}; quick ${describe(budgets.quick)}; default ${describe(budgets.default)}; full ${describe(budgets.full)}.
               Under ${PARITY_MIN_STEPS} training steps a run (the default budget's) it is a smoke run, reported against chance, not the paper
  --train/--test  images per dataset (digits: train + test ≤ 10,000; fashion: ≤ 60,000 / 10,000)
  --seeds S    runs with seeds 1..S of every dataset × variant
  --out DIR    default benchmarks/results/reproduce
  --bank-heatmaps  also draw each layer's whole bank (Conv: all F filters; LinearConv: composed), ~400 kB each`;

/** Parses argv (without node and the script); throws an Error whose message says what is wrong. */
export function parseFlags(argv: readonly string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
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
        out: { type: 'string' },
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
  const options: CliOptions = {
    budget: explicit ? `${name}, adjusted` : name,
    train: count('train', budget.train),
    test: count('test', budget.test),
    epochs: count('epochs', budget.epochs),
    seeds: Array.from({ length: count('seeds', budget.seeds) }, (_, i) => i + 1),
    datasets: list<DatasetName>('datasets', datasets),
    variants: list<VariantName>('variants', variants),
    dataSeed: count('data-seed', 0, 0),
    out: values.out as string | undefined,
    banks: values['bank-heatmaps'] === true,
    help: values.help === true,
  };
  for (const dataset of options.datasets) checkSizes(dataset, options.train, options.test);
  return options;
}

function describe(b: Budget): string {
  return `${b.train}/${b.test} images, ${b.epochs} epoch${b.epochs > 1 ? 's' : ''}, ${b.seeds} seed${b.seeds > 1 ? 's' : ''}`;
}
