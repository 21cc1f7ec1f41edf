import type { ConformanceReport } from '@linearconv/conformance';
import type { BenchReport } from '@linearconv/conformance/bench';
import type { LabBackend } from './result.js';

/** The frameworks a user picks an adapter for, and which backend names belong to each. */
export const FRAMEWORKS = [
  { framework: 'tfjs', label: 'tfjs', prefix: 'tfjs-' },
  { framework: 'onnx', label: 'ONNX', prefix: 'onnx-' },
  { framework: 'webgpu', label: 'raw WebGPU', prefix: 'webgpu' },
] as const;

export type Framework = (typeof FRAMEWORKS)[number]['framework'];

/** One framework's pick on this device, and why the others were not picked. */
export interface Recommendation {
  readonly framework: Framework;
  /** The backend to use, or null when none of this framework's backends started and passed. */
  readonly backend: string | null;
  /** Geometric mean over the measured layers of LinearConv's median ÷ the plain conv's; null when not measured. */
  readonly linearConvCost: number | null;
  /** The same for the control (a second copy of the plain conv): how far `linearConvCost` can be read. */
  readonly controlCost: number | null;
  /** Geometric mean of the LinearConv median, ms, over the layers every candidate measured. */
  readonly medianMs: number | null;
  /** Backends of this framework left out, with why (unavailable, failed a check, not measured, slower). */
  readonly others: readonly { readonly backend: string; readonly why: string }[];
  /** One plain sentence: "tfjs: use webgl here, LinearConv costs ×1.00 of a plain conv (control ×0.99)". */
  readonly text: string;
}

export interface RecommendInput {
  readonly backends: readonly LabBackend[];
  readonly conformance?: Pick<ConformanceReport, 'results'>;
  readonly bench?: Pick<BenchReport, 'results'>;
}

/**
 * A backend per framework, from measured results only: among the backends that started and
 * passed every conformance check that ran on them (at least one), the one whose LinearConv ran
 * fastest (geometric mean of its median over the layer × batch cases every such backend measured);
 * a correct backend with no speed measured is picked only when none was measured.
 */
export function recommend(input: RecommendInput): Recommendation[] {
  return FRAMEWORKS.map(({ framework, label, prefix }) => {
    const backends = input.backends.filter((b) => (prefix.endsWith('-') ? b.name.startsWith(prefix) : b.name === prefix));
    const others: { backend: string; why: string }[] = [];
    const correct: string[] = [];
    for (const b of backends) {
      const checks = (input.conformance?.results ?? []).filter((r) => r.backend === b.name);
      const failed = checks.filter((r) => r.status === 'fail').length;
      const passed = checks.filter((r) => r.status === 'pass').length;
      if (!b.available) others.push({ backend: b.name, why: `unavailable: ${b.reason ?? 'it did not start'}` });
      else if (failed > 0) others.push({ backend: b.name, why: `${failed} conformance check${failed === 1 ? '' : 's'} failed` });
      else if (passed === 0) others.push({ backend: b.name, why: 'no conformance check ran' });
      else correct.push(b.name);
    }
    const rows = (input.bench?.results ?? []).filter((r) => correct.includes(r.backend));
    const key = (r: { layer: string; batch: number }) => `${r.layer}\u0000${r.batch}`;
    const linearOf = (name: string) => new Map(rows.filter((r) => r.backend === name && r.variant === 'linearconv').map((r) => [key(r), r]));
    const measured = correct.filter((name) => linearOf(name).size > 0);
    for (const name of correct) if (!measured.includes(name)) others.push({ backend: name, why: 'correct, but no speed measured' });
    // Compare on the cases every measured backend ran, so a backend that skipped the big layers does not look fast.
    const shared = [...linearOf(measured[0] ?? '').keys()].filter((k) => measured.every((name) => linearOf(name).has(k)));
    const speed = (name: string) => (shared.length ? geomean(shared.map((k) => linearOf(name).get(k)!.medianMs)) : null);
    const ranked = [...measured].sort((a, b) => (speed(a) ?? Infinity) - (speed(b) ?? Infinity));
    const best = ranked[0] ?? correct[0] ?? null;
    for (const name of ranked.slice(1)) others.push({ backend: name, why: slower(speed(name), speed(best!)) });
    const ratio = (variant: 'linearconv' | 'control') => {
      const ratios = rows.filter((r) => r.backend === best && r.variant === variant && r.ratioToConv !== null).map((r) => r.ratioToConv!);
      return ratios.length ? geomean(ratios) : null;
    };
    const linearConvCost = best === null ? null : ratio('linearconv');
    const controlCost = best === null ? null : ratio('control');
    const medianMs = best === null ? null : speed(best);
    return { framework, backend: best, linearConvCost, controlCost, medianMs, others, text: sentence(label, prefix, best, linearConvCost, controlCost, backends.length) };
  });
}

function sentence(label: string, prefix: string, best: string | null, cost: number | null, control: number | null, offered: number): string {
  if (best === null) return offered === 0 ? `${label}: no backend of it was run here` : `${label}: none of its backends is usable here`;
  const short = shortName(prefix, best);
  if (cost === null) return `${label}: use ${short} here (correct; speed not measured)`;
  return `${label}: use ${short} here, LinearConv costs ×${cost.toFixed(2)} of a plain conv${control === null ? '' : ` (control ×${control.toFixed(2)})`}`;
}

/** `tfjs-webgl` reads as "webgl" under "tfjs:", `onnx-web-wasm-folded` as "wasm EP (folded model)"; ours keeps its name. */
function shortName(prefix: string, backend: string): string {
  const onnx = /^onnx-(?:web-)?(\w+)-(compact|folded)$/.exec(backend);
  if (onnx) return `${onnx[1]} EP (${onnx[2]} model)`;
  return prefix.endsWith('-') && backend.startsWith(prefix) ? backend.slice(prefix.length) : backend;
}

function slower(ms: number | null, bestMs: number | null): string {
  if (ms === null || bestMs === null) return 'correct, but not measured on the same layers';
  return `correct, ×${(ms / bestMs).toFixed(2)} the time of the pick`;
}

function geomean(values: readonly number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}
