import { type BackendSummary, summariseBackends } from '@linearconv/conformance/bench';
import type { BenchReport, BenchResult, CheckResult, ConformanceReport, DeviceInfo } from './types.js';

/** One labelled result set (a device, a run) as the renderer receives it. */
export interface LabeledResult {
  /** Tells the results apart when several are shown side by side, e.g. a device or a file name. */
  readonly label: string;
  readonly device: DeviceInfo;
  readonly backends?: readonly { readonly name: string; readonly available: boolean; readonly reason?: string; readonly adapter?: string }[];
  readonly conformance?: ConformanceReport;
  readonly bench?: BenchReport;
}

/**
 * One backend of one result: the unit of every table row and chart row. With several results,
 * the same backend from each sits next to the others, named `backend · label`.
 */
export interface Series {
  /** What the rows and the y axes show. */
  readonly key: string;
  readonly label: string;
  readonly backend: string;
  readonly adapter?: string;
  readonly unavailable?: string;
  readonly bench: readonly BenchResult[];
  readonly omitted: number;
  readonly failedCases: number;
  readonly checks: readonly CheckResult[];
  /** The harness's summary of this backend's speed results; null without any. */
  readonly speed: BackendSummary | null;
}

/** Every backend named anywhere in the results, in the order first seen: the colour domain. */
export function backendNames(results: readonly LabeledResult[]): string[] {
  const names = new Set<string>();
  for (const r of results) {
    for (const b of r.backends ?? []) names.add(b.name);
    for (const b of r.bench?.settings.backends ?? []) names.add(b);
    for (const c of r.conformance?.results ?? []) names.add(c.backend);
  }
  return [...names];
}

/** The series of every result, grouped by backend (in `backendNames` order), then by result. */
export function seriesOf(results: readonly LabeledResult[]): Series[] {
  const several = results.length > 1;
  const summaries = new Map(results.map((r) => [r, r.bench ? summariseBackends(r.bench) : []]));
  const series: Series[] = [];
  for (const backend of backendNames(results)) {
    for (const r of results) {
      const listed = r.backends?.find((b) => b.name === backend);
      const inBench = r.bench?.settings.backends.includes(backend) ?? false;
      const checks = r.conformance?.results.filter((c) => c.backend === backend) ?? [];
      if (!listed && !inBench && checks.length === 0) continue;
      const bench = r.bench?.results.filter((x) => x.backend === backend) ?? [];
      const omitted = r.bench?.omitted.filter((o) => o.backend === backend) ?? [];
      const unavailable =
        (listed && !listed.available ? (listed.reason ?? 'unavailable') : undefined) ??
        r.bench?.unavailable.find((u) => u.backend === backend)?.reason ??
        r.conformance?.unavailable?.find((u) => u.backend === backend)?.reason;
      const adapter = listed?.adapter ?? bench.find((x) => x.adapter)?.adapter;
      series.push({
        key: several ? `${backend} · ${r.label}` : backend,
        label: r.label,
        backend,
        ...(adapter !== undefined && { adapter }),
        ...(unavailable !== undefined && { unavailable }),
        bench,
        omitted: omitted.filter((o) => o.reason.startsWith('skipped')).length,
        failedCases: omitted.filter((o) => !o.reason.startsWith('skipped')).length,
        checks,
        speed: summaries.get(r)?.find((b) => b.backend === backend && b.measured > 0) ?? null,
      });
    }
  }
  return series;
}

export interface SpeedSummary {
  readonly measured: number;
  /** Geometric mean of LinearConv ÷ conv over the measured cases. */
  readonly ratio: number | null;
  readonly ratioRange: { readonly min: number; readonly max: number } | null;
  /** The control (a second copy of the conv) ÷ conv over the same cases: the measurement's noise. */
  readonly control: { readonly geomean: number; readonly min: number; readonly max: number } | null;
  readonly convGflopsMedian: number | null;
  readonly maxAbsError: number | null;
}

/** A series' speed at a glance, from the harness's summary. */
export function speedSummary(s: Series): SpeedSummary {
  const sum = s.speed;
  if (sum === null) return { measured: 0, ratio: null, ratioRange: null, control: null, convGflopsMedian: null, maxAbsError: null };
  return {
    measured: sum.measured,
    ratio: sum.ratioGeomean,
    ratioRange: sum.ratioMin === null ? null : { min: sum.ratioMin, max: sum.ratioMax! },
    control: sum.control,
    convGflopsMedian: sum.convGflopsMedian,
    maxAbsError: sum.maxAbsError,
  };
}

