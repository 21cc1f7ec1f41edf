/**
 * One `pnpm bench:train` run: a worker process per configuration, every row's warm-up, then the
 * timed steps round-robin across all workers, one step at a time (schedule.ts).
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Case, type ConfigurationId, configurations, plan } from './configurations.js';
import type { BenchOptions } from './flags.js';
import type { ModelName, StepProfile, VariantName, WorkerSettings } from './protocol.js';
import { schedule } from './schedule.js';
import { absentRow, measuredRow, type Ratios, type Row, type RowKey, ratios } from './summary.js';
import { type Started, WorkerProcess } from './worker-process.js';

/** Debian's python3-torch is seen by this interpreter, not necessarily by a pyenv or venv `python3`. */
export const PYTHON = '/usr/bin/python3';
// Both src/train-bench and dist/train-bench are two levels below the package: tests (src) start the built worker.
const TFJS_WORKER = fileURLToPath(new URL('../../dist/train-bench/tfjs-worker.js', import.meta.url));
const TORCH_WORKER = fileURLToPath(new URL('../../../scripts/torch/train_step.py', import.meta.url));

export interface RunOptions extends BenchOptions {
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** The interpreter for the PyTorch workers; default PYTHON. */
  python?: string;
}

export interface BenchResult {
  date: string;
  /** True for --quick: few steps, not a measurement. */
  smoke: boolean;
  settings: Pick<BenchOptions, 'models' | 'configurations' | 'steps' | 'warmup' | 'batch' | 'seed'>;
  /** With --profile: one more step of each tfjs-wasm row under tf.profile. */
  profiles?: ({ configuration: ConfigurationId; model: ModelName; variant: VariantName } & StepProfile)[];
  machine: { cpu: string; cores: number; node: string };
  /** What each worker reported: library versions, backend. */
  versions: Partial<Record<ConfigurationId, Record<string, string>>>;
  /** 1, 5 and 15-minute load averages before the first worker started and after the last step. */
  loadAverage: { start: number[]; end: number[] };
  seconds: number;
  results: Row[];
  ratios: Ratios;
}

function startWorker(id: ConfigurationId, cases: readonly Case[], options: RunOptions): WorkerProcess {
  const { framework, backend, threads } = configurations[id];
  const settings: WorkerSettings = {
    ...(framework === 'tfjs' && { backend }),
    threads,
    models: [...new Set(cases.map((c) => c.model))],
    variants: [...new Set(cases.map((c) => c.variant))],
    batch: options.batch,
    seed: options.seed,
  };
  const noise = (line: string) => options.log?.(`  [${id}] ${line}`);
  if (framework === 'pytorch') return new WorkerProcess(id, options.python ?? PYTHON, [TORCH_WORKER, JSON.stringify(settings)], noise);
  if (!existsSync(TFJS_WORKER)) throw new Error(`${TFJS_WORKER} is missing: run pnpm --filter @linearconv/benchmarks build first`);
  return new WorkerProcess(id, process.execPath, [TFJS_WORKER, JSON.stringify(settings)], noise);
}

export async function runTrainBench(options: RunOptions): Promise<BenchResult> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const loadStart = loadavg();
  const cases = plan(options);
  const keyOf = (c: Case): RowKey => {
    const { framework, backend, threads } = configurations[c.configuration];
    return { framework, backend, threads, model: c.model, variant: c.variant, batch: options.batch };
  };
  const ids = [...new Set(cases.filter((c) => !c.skipped).map((c) => c.configuration))];
  const workers = new Map<ConfigurationId, WorkerProcess>();
  const ready = new Map<ConfigurationId, Started>();
  try {
    for (const id of ids) workers.set(id, startWorker(id, cases.filter((c) => c.configuration === id && !c.skipped), options));
    // Start-up (imports, model building) runs in parallel; nothing is timed yet.
    await Promise.all(ids.map(async (id) => ready.set(id, await workers.get(id)!.started())));
    for (const [id, s] of ready) log(s.type === 'ready' ? `${id}: ready, ${s.threads} thread(s), ${JSON.stringify(s.versions)}` : `${id}: absent (${s.reason})`);

    const active = cases.filter((c) => !c.skipped && ready.get(c.configuration)?.type === 'ready');
    const samples = active.map((): number[] => []);
    const turns = schedule(active);
    log(`${active.length} rows, ${turns.length} steps (${turns.filter((t) => !t.timed).length} warm-up), one at a time`);
    for (const [i, turn] of turns.entries()) {
      const c = active[turn.row];
      const { ms, loss } = await workers.get(c.configuration)!.step(c.model, c.variant);
      if (!Number.isFinite(loss)) throw new Error(`${c.configuration} ${c.model}/${c.variant}: the loss is ${loss}`);
      if (turn.timed) samples[turn.row].push(ms);
      log(`  ${i + 1}/${turns.length} ${c.configuration} ${c.model}/${c.variant}${turn.timed ? '' : ' (warm-up)'}: ${ms.toFixed(1)} ms`);
    }

    const profiles: NonNullable<BenchResult['profiles']> = [];
    for (const c of options.profile ? active.filter((a) => configurations[a.configuration].framework === 'tfjs' && configurations[a.configuration].backend === 'wasm') : []) {
      log(`  profiling ${c.configuration} ${c.model}/${c.variant}`);
      profiles.push({ configuration: c.configuration, model: c.model, variant: c.variant, ...(await workers.get(c.configuration)!.profile(c.model, c.variant)) });
    }

    const results = cases.map((c): Row => {
      const s = ready.get(c.configuration);
      if (c.skipped) return absentRow(keyOf(c), c.skipped);
      if (s?.type !== 'ready') return absentRow(keyOf(c), s?.reason ?? 'not started');
      const params = s.cases.find((p) => p.model === c.model && p.variant === c.variant)?.params;
      if (params === undefined) throw new Error(`${c.configuration} did not build ${c.model}/${c.variant}`);
      return measuredRow(keyOf(c), params, samples[active.indexOf(c)]);
    });
    const versions = Object.fromEntries([...ready].flatMap(([id, s]) => (s.type === 'ready' ? [[id, s.versions]] : [])));
    const { models, configurations: configs, steps, warmup, batch, seed } = options;
    return {
      date: new Date().toISOString(),
      smoke: options.quick,
      settings: { models, configurations: configs, steps, warmup, batch, seed },
      ...(options.profile && { profiles }),
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
      versions,
      loadAverage: { start: loadStart, end: loadavg() },
      seconds: (performance.now() - started) / 1000,
      results,
      ratios: ratios(results),
    };
  } finally {
    await Promise.all([...workers.values()].map((w) => w.close()));
  }
}
