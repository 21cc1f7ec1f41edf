/**
 * What `pnpm bench:train` compares: five runtime configurations, each one worker process (tfjs
 * fixes its wasm threads per process; PyTorch is another runtime), and the rows each one times.
 */
import type { ModelName, VariantName } from './protocol.js';

export interface Configuration {
  framework: 'tfjs' | 'pytorch';
  backend: 'wasm' | 'cpu';
  threads: number;
  /**
   * tfjs-cpu: one Base step at batch 32 takes 35–50 s on an idle machine (its Conv2DBackpropFilter
   * is a JS loop), so its rows get about an eighth of the steps and no warm-up (it compiles
   * nothing; the first step only adds Adam's slots, small against 35 s).
   */
  slow: boolean;
}

export const configurations = {
  'tfjs-wasm-1': { framework: 'tfjs', backend: 'wasm', threads: 1, slow: false },
  'tfjs-wasm-2': { framework: 'tfjs', backend: 'wasm', threads: 2, slow: false },
  'tfjs-cpu-1': { framework: 'tfjs', backend: 'cpu', threads: 1, slow: true },
  'pytorch-cpu-1': { framework: 'pytorch', backend: 'cpu', threads: 1, slow: false },
  'pytorch-cpu-2': { framework: 'pytorch', backend: 'cpu', threads: 2, slow: false },
} as const satisfies Record<string, Configuration>;

export type ConfigurationId = keyof typeof configurations;
export const configurationIds = Object.keys(configurations) as ConfigurationId[];
export const variants: readonly VariantName[] = ['conv', 'linearconv'];

/** One row of the table: a configuration's model and variant, with its step counts. */
export interface Case {
  configuration: ConfigurationId;
  model: ModelName;
  variant: VariantName;
  warmup: number;
  steps: number;
  /** Why the row is not run by default, when it is not. */
  skipped?: string;
}

export interface PlanOptions {
  models: readonly ModelName[];
  configurations: readonly ConfigurationId[];
  steps: number;
  warmup: number;
  quick: boolean;
  all: boolean;
}

/** Every row, in table order: configuration, model, variant. */
export function plan(options: PlanOptions): Case[] {
  const cases: Case[] = [];
  for (const configuration of options.configurations) {
    const { slow } = configurations[configuration];
    const steps = slow ? Math.max(1, Math.round(options.steps / 8)) : options.steps;
    const warmup = slow ? 0 : options.warmup;
    for (const model of options.models) {
      const skipped = slow && !options.all ? slowSkip(model, options.quick) : undefined;
      for (const variant of variants) cases.push({ configuration, model, variant, warmup, steps, ...(skipped && { skipped }) });
    }
  }
  return cases;
}

/** Why a tfjs-cpu row is left out unless --all, if it is. */
function slowSkip(model: ModelName, quick: boolean): string | undefined {
  if (quick) return 'skipped by --quick: tens of seconds a step; --all runs it';
  // ~10× Base's FLOPs: several minutes a step at tfjs-cpu's speed.
  if (model === 'vgg11') return 'skipped: minutes a step; --all runs it';
  return undefined;
}
