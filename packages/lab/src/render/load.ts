import { LinearConvError } from '@linearconv/core';
import type { LabeledResult } from './series.js';
import type { BenchReport, ConformanceReport, DeviceInfo } from './types.js';

/** The older bench formats' `machine` (before `device`, @3). */
interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly loadAverage: readonly number[];
}

/**
 * A results file as one labelled result: a lab result (`linearconv lab --json`, the lab's
 * download), a bench report (`linearconv bench --json`, linearconv-bench@1–@3) or a conformance
 * report (`linearconv conformance --json`). Anything else is a LinearConvError naming `label`.
 */
export function labeledResult(value: unknown, label: string): LabeledResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LinearConvError(label, 'must be a JSON object (a linearconv lab, bench or conformance result)');
  const v = value as Record<string, unknown>;
  if (typeof v.format === 'string' && v.format.startsWith('linearconv-bench@')) {
    const bench = requireBench(v, label);
    return { label, device: bench.device ?? deviceOf(v.machine), bench };
  }
  if (typeof v.device === 'object' && v.device !== null && ('bench' in v || 'conformance' in v || 'backends' in v)) {
    const device = v.device as DeviceInfo;
    if (typeof device.runtime !== 'string') throw new LinearConvError(`${label}: device.runtime`, 'must be a string');
    if (v.backends !== undefined && !Array.isArray(v.backends)) throw new LinearConvError(`${label}: backends`, 'must be a list');
    return {
      label,
      device,
      ...(Array.isArray(v.backends) && { backends: v.backends as LabeledResult['backends'] }),
      ...(v.conformance !== undefined && { conformance: requireConformance(v.conformance, `${label}: conformance`) }),
      ...(v.bench !== undefined && { bench: requireBench(v.bench as Record<string, unknown>, `${label}: bench`) }),
    };
  }
  if (Array.isArray(v.results) && typeof v.passed === 'number') return { label, device: { runtime: 'unknown' }, conformance: requireConformance(v, label) };
  throw new LinearConvError(label, 'must be a linearconv lab result, a linearconv-bench report or a linearconv conformance --json report');
}

function requireBench(v: Record<string, unknown>, field: string): BenchReport {
  if (typeof v.format !== 'string' || !/^linearconv-bench@[123]$/.test(v.format)) throw new LinearConvError(`${field}: format`, `must be "linearconv-bench@1", "@2" or "@3", got ${JSON.stringify(v.format)}`);
  for (const key of ['layers', 'results', 'omitted', 'unavailable'] as const) {
    if (!Array.isArray(v[key])) throw new LinearConvError(`${field}: ${key}`, 'must be a list');
  }
  const settings = v.settings as Record<string, unknown> | undefined;
  if (!Array.isArray(settings?.backends) || !Array.isArray(settings?.batches)) throw new LinearConvError(`${field}: settings`, 'must have the lists backends and batches');
  return v as unknown as BenchReport;
}

function requireConformance(value: unknown, field: string): ConformanceReport {
  const v = value as Partial<ConformanceReport> | null;
  if (typeof v !== 'object' || v === null || !Array.isArray(v.results)) throw new LinearConvError(`${field}: results`, 'must be a list of checks');
  return v as ConformanceReport;
}

/** What a bench report before @3 recorded of its machine, as a device. */
function deviceOf(machine: unknown): DeviceInfo {
  const m = machine as Partial<Machine> | undefined;
  if (!m || typeof m !== 'object') return { runtime: 'unknown' };
  return {
    runtime: `node ${m.node ?? '?'}`,
    ...(m.platform !== undefined && { platform: m.platform }),
    ...(m.cores !== undefined && { cpus: m.cores }),
    ...(m.cpu !== undefined && { cpuModel: m.cpu }),
    ...(m.loadAverage !== undefined && { loadAverage: m.loadAverage }),
  };
}
