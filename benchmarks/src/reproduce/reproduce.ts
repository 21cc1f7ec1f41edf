/**
 * The paper-parity runs: Base as Conv, -L, -Lr and -LRr on Fashion-MNIST and MNIST digits, on
 * tfjs's wasm backend, every run seeded. Returns everything as one JSON-ready object. With a
 * checkpoint directory, the state is saved after every epoch and every finished run, and a
 * resumed call continues where the last one stopped, with the same results.
 */
import { cpus, loadavg } from 'node:os';
import { enableWasmTraining } from '@linearconv/tfjs';
import { useWasmThreads } from '@linearconv/tfjs/node';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { BATCH_NORM_IMAGES } from './batch-norm.js';
import { chanceAccuracy } from './chance.js';
import { type Checkpoint, differences, readCheckpoint, removeCheckpoint, writeCheckpoint } from './checkpoint.js';
import { checkSizes, type DatasetName, IMAGE_SIZE, loadSplit, PAD } from './data.js';
import { modelTitle } from './paper.js';
import { epochProgress, type ProgressSink } from './progress.js';
import { type RunKind, runKind } from './run-kind.js';
import { type SummaryRow, summarise } from './summary.js';
import { type Hyperparameters, paperHyperparameters, penaltySchedule, type RunResult, trainRun, type VariantName } from './train.js';

/** Training and test images of one dataset. */
export interface DatasetSize {
  train: number;
  test: number;
}

export interface ReproduceOptions {
  /** A name for the scale (`smoke`, `default`, `paper-data`, …): recorded, not interpreted. */
  budget: string;
  /** Training and test images of each dataset that runs. */
  sizes: Partial<Record<DatasetName, DatasetSize>>;
  epochs: number;
  /** One run per seed of each dataset × variant. */
  seeds: readonly number[];
  datasets: readonly DatasetName[];
  variants: readonly VariantName[];
  /** Seeds the train/test split, the same for every run. Default 0. */
  dataSeed?: number;
  /** The authors' unless given. */
  hyperparameters?: Partial<Omit<Hyperparameters, 'epochs'>>;
  /** tfjs-wasm threads, set with `useWasmThreads` before the backend starts; default: tfjs-wasm's own count. */
  threads?: number;
  /** Where to keep the checkpoint (made if needed, removed when every run is done); none: no checkpoint. */
  checkpoint?: string;
  /** Continue the unfinished checkpoint in `checkpoint` (its settings must equal these). */
  resume?: boolean;
  /** After every finished run, the results so far (`complete` false until the last). */
  onRun?: (partial: ReproduceResult) => Promise<void>;
  /** After every checkpoint written at the end of an epoch. */
  onCheckpoint?: (saved: { dataset: DatasetName; variant: VariantName; seed: number; epochsDone: number }) => void | Promise<void>;
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
  /** False while runs are missing (results written after each run of a long one). */
  complete: boolean;
  runsPlanned: number;
  /** Per dataset, in %: the accuracy of always answering the test split's most frequent class. */
  chance: Partial<Record<DatasetName, number>>;
  date: string;
  machine: string;
  settings: {
    model: 'base';
    input: string;
    /** Per dataset: its images and the training steps of each of its runs (batches × epochs). */
    sizes: Partial<Record<DatasetName, DatasetSize & { stepsPerRun: number }>>;
    /** Images and steps per run where every dataset has the same; absent otherwise (see sizes). */
    train?: number;
    test?: number;
    stepsPerRun?: number;
    epochs: number;
    seeds: number[];
    dataSeed: number;
    datasets: DatasetName[];
    variants: VariantName[];
    hyperparameters: Hyperparameters;
    /** When -Lr and -LRr add the correlation penalty, in words. */
    penaltySchedule: string;
    optimizer: string;
    /** How batch norm's moving statistics are set before testing. */
    batchNorm: string;
    backend: string;
    /** tfjs-wasm threads of this session, and the count asked for with --threads (null: not asked). */
    threads: number;
    threadsRequested: number | null;
  };
  /** What a seed fixes, and what it does not. */
  reproducibility: string;
  /** Sessions: 1 + how many times the checkpoint was resumed. */
  sessions: number;
  /** Wall time of the sessions so far, data loading included. */
  totalSeconds: number;
  summary: SummaryRow[];
  runs: RunResult[];
}

/**
 * Rough wall time of one training step of Base at batch 50, 32×32, on 1 wasm thread, for the plan
 * only. Measured on the shared 2-core dev box on 2026-12-01 (Fashion-MNIST, 20 steps, Conv and
 * -Lr): 0.56–0.66 s of process CPU a step, 1.1–1.4 s of wall time at load average ~6. Other load
 * and the wasm-training kernels of the day move it a lot.
 */
export const SECONDS_PER_STEP = 0.7;

export interface Plan {
  runs: number;
  /** Per dataset. */
  stepsPerRun: Partial<Record<DatasetName, number>>;
  steps: number;
  /** From SECONDS_PER_STEP, training only. */
  estimatedSeconds: number;
}

export function plan(options: Pick<ReproduceOptions, 'sizes' | 'epochs' | 'seeds' | 'datasets' | 'variants' | 'hyperparameters'>): Plan {
  const batchSize = options.hyperparameters?.batchSize ?? paperHyperparameters.batchSize;
  const stepsPerRun: Plan['stepsPerRun'] = {};
  let steps = 0;
  for (const dataset of options.datasets) {
    const size = sizeOf(options.sizes, dataset);
    stepsPerRun[dataset] = options.epochs * Math.ceil(size.train / batchSize);
    steps += stepsPerRun[dataset] * options.seeds.length * options.variants.length;
  }
  const runs = options.datasets.length * options.variants.length * options.seeds.length;
  return { runs, stepsPerRun, steps, estimatedSeconds: steps * SECONDS_PER_STEP };
}

export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  const hyperparameters: Hyperparameters = { ...paperHyperparameters, ...options.hyperparameters, epochs: options.epochs };
  const dataSeed = options.dataSeed ?? 0;
  for (const dataset of options.datasets) checkSizes(dataset, sizeOf(options.sizes, dataset).train, sizeOf(options.sizes, dataset).test);
  const say = (line: string) => options.progress?.write(`${line}\n`);
  const { runs: total, stepsPerRun } = plan(options);
  const command = options.command ?? 'reproduce(options)';

  // Everything that decides the results: a resume must match it.
  const key: Record<string, unknown> = {
    sizes: Object.fromEntries(options.datasets.map((d) => [d, sizeOf(options.sizes, d)])),
    epochs: options.epochs,
    seeds: [...options.seeds],
    datasets: [...options.datasets],
    variants: [...options.variants],
    dataSeed,
    hyperparameters: { ...hyperparameters, epochs: undefined },
  };
  let checkpoint: Checkpoint | null = null;
  if (options.checkpoint !== undefined) {
    const existing = await readCheckpoint(options.checkpoint);
    if (options.resume) {
      if (!existing) throw new Error(`--resume: there is no checkpoint in ${options.checkpoint} to continue`);
      const differ = differences(existing.key, key);
      if (differ.length > 0) {
        throw new Error(`--resume: the checkpoint in ${options.checkpoint} has other settings (${differ.join(', ')}); it was started by \`${existing.command}\`: resume with its flags`);
      }
      checkpoint = { ...existing, resumes: existing.resumes + 1 };
      say(`resuming ${options.checkpoint}: ${existing.finished.length} of ${total} runs done${existing.current ? `, ${existing.current.dataset} ${existing.current.variant} s${existing.current.seed} after epoch ${existing.current.state.epochsDone}` : ''}`);
    } else if (existing) {
      throw new Error(
        `${options.checkpoint} holds an unfinished run (${existing.finished.length} of its runs done, started by \`${existing.command}\`): pass --resume to continue it, or delete the directory to start over`,
      );
    } else {
      checkpoint = { key, command, startedAt: new Date().toISOString(), elapsedSeconds: 0, resumes: 0, finished: [], current: null };
    }
  } else if (options.resume) {
    throw new Error('resume: needs a checkpoint directory');
  }
  const before = checkpoint?.elapsedSeconds ?? 0;
  const elapsed = () => before + (performance.now() - started) / 1000;

  enableWasmTraining();
  const threadsRequested = options.threads ?? null;
  if (threadsRequested !== null) await useWasmThreads(threadsRequested);
  await tf.setBackend('wasm');
  const threads = getThreadsCount();

  const runs: RunResult[] = [...(checkpoint?.finished ?? [])];
  const chance: ReproduceResult['chance'] = {};
  const result = (complete: boolean): ReproduceResult => ({
    command: checkpoint?.command ?? command,
    budget: options.budget,
    kind: runKind(Math.min(...Object.values(stepsPerRun))),
    complete,
    runsPlanned: total,
    chance,
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, load average ${loadAtStart.toFixed(2)} at start${checkpoint?.resumes ? ' (of the last session)' : ''}`,
    settings: settingsOf(options, hyperparameters, dataSeed, stepsPerRun, threads, threadsRequested),
    reproducibility:
      'A seed fixes the split (dataSeed), every initial weight (core createRandom, not tfjs initialisers) and the batch order; ' +
      'on the same machine, backend and thread count a run repeats exactly (weightsSha256 of each run says so), and a run resumed ' +
      'from its checkpoint ends bit-identical to one never stopped. Across CPUs or tfjs versions the float32 kernels (XNNPACK) may ' +
      'round differently and results drift.',
    sessions: 1 + (checkpoint?.resumes ?? 0),
    totalSeconds: elapsed(),
    summary: summarise(order(runs, options)),
    runs: order(runs, options),
  });

  let n = 0;
  for (const dataset of options.datasets) {
    const size = sizeOf(options.sizes, dataset);
    const split = loadSplit(dataset, size.train, size.test, dataSeed);
    chance[dataset] = chanceAccuracy(split.test.labels);
    for (const seed of options.seeds) {
      for (const variant of options.variants) {
        n++;
        if (runs.some((r) => r.dataset === dataset && r.variant === variant && r.seed === seed)) continue;
        const current = checkpoint?.current;
        const resume = current && current.dataset === dataset && current.variant === variant && current.seed === seed ? current.state : undefined;
        say(`run ${n}/${total}: ${dataset} ${modelTitle(variant)}, seed ${seed}${resume ? ` (resumed after epoch ${resume.epochsDone})` : ''}`);
        const label = (epoch: number) => `  ${dataset} ${variant} s${seed} e${epoch + 1}/${options.epochs}`;
        const sink = options.progress;
        const progress = sink ? (epoch: number, batches: number) => epochProgress(label(epoch), batches, sink) : undefined;
        const onEpoch = checkpoint
          ? async (state: NonNullable<Checkpoint['current']>['state']) => {
              const c = checkpoint!;
              c.current = { dataset, variant, seed, state };
              c.elapsedSeconds = elapsed();
              await writeCheckpoint(options.checkpoint!, c);
              await options.onCheckpoint?.({ dataset, variant, seed, epochsDone: state.epochsDone });
            }
          : undefined;
        const run = await trainRun(split, { ...hyperparameters, dataset, variant, seed, progress, resume, onEpoch });
        say(`  test accuracy ${(100 * run.testAccuracy).toFixed(2)} %, mean |corr| of ${run.correlation.layer}'s primaries ${run.meanAbsCorrelation.toFixed(3)}`);
        runs.push(run);
        if (checkpoint) {
          checkpoint.finished = [...runs];
          checkpoint.current = null;
          checkpoint.elapsedSeconds = elapsed();
          await writeCheckpoint(options.checkpoint!, checkpoint);
        }
        await options.onRun?.(result(runs.length === total));
      }
    }
  }
  if (options.checkpoint !== undefined) await removeCheckpoint(options.checkpoint);
  return result(true);
}

function sizeOf(sizes: ReproduceOptions['sizes'], dataset: DatasetName): DatasetSize {
  const size = sizes[dataset];
  if (!size) throw new Error(`reproduce: no train/test sizes for ${dataset}`);
  return size;
}

/** Runs in plan order (dataset, seed, variant), whatever order the sessions finished them in. */
function order(runs: readonly RunResult[], options: Pick<ReproduceOptions, 'datasets' | 'seeds' | 'variants'>): RunResult[] {
  const rank = (r: RunResult) => [options.datasets.indexOf(r.dataset), options.seeds.indexOf(r.seed), options.variants.indexOf(r.variant)];
  return [...runs].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

function settingsOf(
  options: ReproduceOptions,
  hyperparameters: Hyperparameters,
  dataSeed: number,
  stepsPerRun: Plan['stepsPerRun'],
  threads: number,
  threadsRequested: number | null,
): ReproduceResult['settings'] {
  const sizes: ReproduceResult['settings']['sizes'] = {};
  for (const d of options.datasets) sizes[d] = { ...sizeOf(options.sizes, d), stepsPerRun: stepsPerRun[d]! };
  const all = Object.values(sizes);
  const same = <K extends 'train' | 'test' | 'stepsPerRun'>(k: K) => (all.every((s) => s[k] === all[0][k]) ? all[0][k] : undefined);
  const trainText = options.datasets.map((d) => `${Math.min(sizes[d]!.train, BATCH_NORM_IMAGES)} ${d}`).join(', ');
  return {
    model: 'base',
    input: `${IMAGE_SIZE}×${IMAGE_SIZE}×1 (28×28 zero-padded by ${PAD} on each side, as the authors), grey values in [0, 1]`,
    sizes,
    ...(same('train') !== undefined ? { train: same('train') } : {}),
    ...(same('test') !== undefined ? { test: same('test') } : {}),
    ...(same('stepsPerRun') !== undefined ? { stepsPerRun: same('stepsPerRun') } : {}),
    epochs: options.epochs,
    seeds: [...options.seeds],
    dataSeed,
    datasets: [...options.datasets],
    variants: [...options.variants],
    hyperparameters,
    penaltySchedule: penaltySchedule(hyperparameters),
    optimizer: `Adam (tfjs defaults β1 0.9, β2 0.999, ε 1e-7), lr ${hyperparameters.learningRate}, no weight decay`,
    batchNorm: `momentum 0.9 during training; before testing, the moving statistics are recomputed with the final weights (as PyTorch's update_bn) over the first ${BATCH_NORM_IMAGES.toLocaleString('en')} training images at most (${trainText}; the split is in seeded random order)`,
    backend: `tfjs ${tf.version.tfjs} wasm (${threads} thread${threads === 1 ? '' : 's'}), enableWasmTraining()`,
    threads,
    threadsRequested,
  };
}
