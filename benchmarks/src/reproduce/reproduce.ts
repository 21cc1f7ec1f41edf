/**
 * The paper-parity runs: Base as Conv, -L, -Lr and -LRr on Fashion-MNIST and MNIST digits, on
 * tfjs's wasm backend, every run seeded. Returns everything as one JSON-ready object.
 */
import { cpus, loadavg } from 'node:os';
import { enableWasmTraining } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { chanceAccuracy } from './chance.js';
import { checkSizes, type DatasetName, IMAGE_SIZE, loadSplit, PAD } from './data.js';
import { modelTitle } from './paper.js';
import { epochProgress, type ProgressSink } from './progress.js';
import { type RunKind, runKind } from './run-kind.js';
import { type SummaryRow, summarise } from './summary.js';
import { type Hyperparameters, paperHyperparameters, type RunResult, trainRun, type VariantName } from './train.js';

export interface ReproduceOptions {
  /** A name for the scale (`smoke`, `default`, `full`, `custom`): recorded, not interpreted. */
  budget: string;
  /** Training and test images per dataset. */
  train: number;
  test: number;
  epochs: number;
  /** One run per seed of each dataset × variant. */
  seeds: readonly number[];
  datasets: readonly DatasetName[];
  variants: readonly VariantName[];
  /** Seeds the train/test split, the same for every run. Default 0. */
  dataSeed?: number;
  /** The authors' unless given. */
  hyperparameters?: Partial<Omit<Hyperparameters, 'epochs'>>;
  /** Progress bars and run headings; silent by default. */
  progress?: ProgressSink;
  /** How it was started, for the record. */
  command?: string;
}

export interface ReproduceResult {
  command: string;
  budget: string;
  /** `smoke` below the default budget's steps per run (run-kind.ts): not comparable with the paper. */
  kind: RunKind;
  /** Per dataset, in %: the accuracy of always answering the test split's most frequent class. */
  chance: Partial<Record<DatasetName, number>>;
  date: string;
  machine: string;
  settings: {
    model: 'base';
    input: string;
    train: number;
    test: number;
    epochs: number;
    /** Training steps of each run (batches × epochs). */
    stepsPerRun: number;
    seeds: number[];
    dataSeed: number;
    datasets: DatasetName[];
    variants: VariantName[];
    hyperparameters: Hyperparameters;
    optimizer: string;
    /** How batch norm's moving statistics are set before testing. */
    batchNorm: string;
    backend: string;
  };
  /** What a seed fixes, and what it does not. */
  reproducibility: string;
  /** Wall time of the whole call, data loading included. */
  totalSeconds: number;
  summary: SummaryRow[];
  runs: RunResult[];
}

/** Rough wall time of one training step of Base at batch 50, 32×32, on 1 wasm thread (measured on the 2-core dev box). */
export const SECONDS_PER_STEP = 0.8;

export interface Plan {
  runs: number;
  stepsPerRun: number;
  steps: number;
  /** From SECONDS_PER_STEP, training only. */
  estimatedSeconds: number;
}

export function plan(options: Pick<ReproduceOptions, 'train' | 'epochs' | 'seeds' | 'datasets' | 'variants' | 'hyperparameters'>): Plan {
  const batchSize = options.hyperparameters?.batchSize ?? paperHyperparameters.batchSize;
  const runs = options.datasets.length * options.variants.length * options.seeds.length;
  const stepsPerRun = options.epochs * Math.ceil(options.train / batchSize);
  return { runs, stepsPerRun, steps: runs * stepsPerRun, estimatedSeconds: runs * stepsPerRun * SECONDS_PER_STEP };
}

export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  const hyperparameters: Hyperparameters = { ...paperHyperparameters, ...options.hyperparameters, epochs: options.epochs };
  const dataSeed = options.dataSeed ?? 0;
  for (const dataset of options.datasets) checkSizes(dataset, options.train, options.test);
  const say = (line: string) => options.progress?.write(`${line}\n`);

  enableWasmTraining();
  await tf.setBackend('wasm');
  const { runs: total, stepsPerRun } = plan(options);
  const runs: RunResult[] = [];
  const chance: ReproduceResult['chance'] = {};
  for (const dataset of options.datasets) {
    const split = loadSplit(dataset, options.train, options.test, dataSeed);
    chance[dataset] = chanceAccuracy(split.test.labels);
    for (const seed of options.seeds) {
      for (const variant of options.variants) {
        say(`run ${runs.length + 1}/${total}: ${dataset} ${modelTitle(variant)}, seed ${seed}`);
        const label = (epoch: number) => `  ${dataset} ${variant} s${seed} e${epoch + 1}/${options.epochs}`;
        const sink = options.progress;
        const progress = sink ? (epoch: number, batches: number) => epochProgress(label(epoch), batches, sink) : undefined;
        const run = await trainRun(split, { ...hyperparameters, dataset, variant, seed, progress });
        say(`  test accuracy ${(100 * run.testAccuracy).toFixed(2)} %, mean |corr| of ${run.correlation.layer}'s primaries ${run.meanAbsCorrelation.toFixed(3)}`);
        runs.push(run);
      }
    }
  }

  return {
    command: options.command ?? 'reproduce(options)',
    budget: options.budget,
    kind: runKind(stepsPerRun),
    chance,
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, load average ${loadAtStart.toFixed(2)} at start`,
    settings: {
      model: 'base',
      input: `${IMAGE_SIZE}×${IMAGE_SIZE}×1 (28×28 zero-padded by ${PAD} on each side, as the authors), grey values in [0, 1]`,
      train: options.train,
      test: options.test,
      epochs: options.epochs,
      stepsPerRun,
      seeds: [...options.seeds],
      dataSeed,
      datasets: [...options.datasets],
      variants: [...options.variants],
      hyperparameters,
      optimizer: `Adam (tfjs defaults β1 0.9, β2 0.999, ε 1e-7), lr ${hyperparameters.learningRate}, no weight decay`,
      batchNorm: `momentum 0.9 during training; before testing, the moving statistics are recomputed over the ${options.train} training images with the final weights (as PyTorch's update_bn)`,
      backend: `tfjs ${tf.version.tfjs} wasm (${getThreadsCount()} thread${getThreadsCount() === 1 ? '' : 's'}), enableWasmTraining()`,
    },
    reproducibility:
      'A seed fixes the split (dataSeed), every initial weight (core createRandom, not tfjs initialisers) and the batch order; ' +
      'on the same machine, backend and thread count a run repeats exactly. Across CPUs or tfjs versions the float32 kernels ' +
      '(XNNPACK) may round differently and results drift.',
    totalSeconds: (performance.now() - started) / 1000,
    summary: summarise(runs),
    runs,
  };
}
