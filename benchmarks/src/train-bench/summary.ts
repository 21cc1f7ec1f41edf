/** From per-step wall times to the rows of the table and their ratios. */
import { summarise } from '../timing.js';
import type { Configuration } from './configurations.js';
import type { ModelName, VariantName } from './protocol.js';

export interface Row {
  framework: Configuration['framework'];
  backend: Configuration['backend'];
  threads: number;
  model: ModelName;
  variant: VariantName;
  batch: number;
  /** Trainable parameters, as the framework counts them: the two frameworks' models should agree. */
  params: number | null;
  /** Median of the timed steps; null when absent. */
  stepMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  imagesPerSecond: number | null;
  /** Timed steps. */
  steps: number;
  status?: 'absent';
  reason?: string;
}

export type RowKey = Pick<Row, 'framework' | 'backend' | 'threads' | 'model' | 'variant' | 'batch'>;

export function measuredRow(key: RowKey, params: number, samplesMs: readonly number[]): Row {
  const t = summarise(samplesMs);
  return { ...key, params, stepMs: t.medianMs, minMs: t.minMs, maxMs: t.maxMs, imagesPerSecond: (key.batch * 1000) / t.medianMs, steps: t.runs };
}

export function absentRow(key: RowKey, reason: string, params: number | null = null): Row {
  return { ...key, params, stepMs: null, minMs: null, maxMs: null, imagesPerSecond: null, steps: 0, status: 'absent', reason };
}

/** tfjs-wasm's step ÷ PyTorch CPU's, same model, variant and threads: the target is ≤ 2 for Base. */
export interface FrameworkRatio {
  model: ModelName;
  variant: VariantName;
  threads: number;
  tfjsWasmMs: number;
  pytorchMs: number;
  ratio: number;
}

/** LinearConv's step ÷ Conv's within one framework, backend and thread count: the target is ≤ 1.05. */
export interface VariantRatio {
  framework: Row['framework'];
  backend: Row['backend'];
  threads: number;
  model: ModelName;
  linearconvMs: number;
  convMs: number;
  ratio: number;
}

export interface Ratios {
  tfjsWasmOverPytorch: FrameworkRatio[];
  linearconvOverConv: VariantRatio[];
}

/** Ratios of medians, for every pair whose both rows were measured. */
export function ratios(rows: readonly Row[]): Ratios {
  const measured = rows.filter((r): r is Row & { stepMs: number } => r.stepMs !== null);
  const tfjsWasmOverPytorch: FrameworkRatio[] = [];
  for (const wasm of measured.filter((r) => r.framework === 'tfjs' && r.backend === 'wasm')) {
    const torch = measured.find((r) => r.framework === 'pytorch' && r.threads === wasm.threads && r.model === wasm.model && r.variant === wasm.variant && r.batch === wasm.batch);
    if (torch) {
      const { model, variant, threads } = wasm;
      tfjsWasmOverPytorch.push({ model, variant, threads, tfjsWasmMs: wasm.stepMs, pytorchMs: torch.stepMs, ratio: wasm.stepMs / torch.stepMs });
    }
  }
  const linearconvOverConv: VariantRatio[] = [];
  for (const linear of measured.filter((r) => r.variant === 'linearconv')) {
    const conv = measured.find(
      (r) => r.variant === 'conv' && r.framework === linear.framework && r.backend === linear.backend && r.threads === linear.threads && r.model === linear.model && r.batch === linear.batch,
    );
    if (conv) {
      const { framework, backend, threads, model } = linear;
      linearconvOverConv.push({ framework, backend, threads, model, linearconvMs: linear.stepMs, convMs: conv.stepMs, ratio: linear.stepMs / conv.stepMs });
    }
  }
  return { tfjsWasmOverPytorch, linearconvOverConv };
}
