import type { Check } from '@linearconv/conformance';
import { h, table } from './dom.js';
import { formatError, formatGflops, formatMs, formatRange, formatRatio } from './format.js';
import { type LabeledResult, type Series, speedSummary } from './series.js';
import type { DeviceInfo } from './types.js';

/** How far the control may stray from ×1 before a backend's ratios count as noise. */
export const CONTROL_TOLERANCE = 0.05;

/** One row per result: where it ran. */
export function deviceTable(doc: Document, results: readonly LabeledResult[]): HTMLElement {
  return table(
    doc,
    'lc-devices',
    ['result', 'runtime', 'platform', 'CPU', 'GPU adapter (WebGPU)', 'WebGL renderer', 'when', 'command'],
    results.map((r) => [r.label, r.device.runtime, r.device.platform ?? '–', cpu(r.device), gpu(r.device), r.device.webgl ? `${r.device.webgl.vendor} · ${r.device.webgl.renderer}` : '–', r.bench?.date ?? '–', r.bench?.command ?? '–']),
  );
}

function cpu(d: DeviceInfo): string {
  const parts = [d.cpuModel, d.cpus !== undefined ? `${d.cpus} cores` : undefined, d.loadAverage?.length ? `load ${d.loadAverage.map((l) => l.toFixed(1)).join(' → ')}` : undefined];
  return parts.filter(Boolean).join(', ') || '–';
}

function gpu(d: DeviceInfo): string {
  if (!d.gpu) return '–';
  return [d.gpu.vendor, d.gpu.architecture, d.gpu.device, d.gpu.description].filter(Boolean).join(' · ') || '(no details)';
}

/** Which backends ran, on what, and why the others did not. */
export function backendTable(doc: Document, series: readonly Series[]): HTMLElement {
  return table(
    doc,
    'lc-backends',
    ['backend', 'available', 'adapter / renderer', 'why not'],
    series.map((s) => [s.key, s.unavailable === undefined ? 'yes' : 'no', s.adapter ?? '–', s.unavailable ?? '']),
  );
}

const CHECK_ORDER: readonly Check[] = ['filters', 'output', 'backward', 'correlation'];

/** Conformance per backend: pass/fail/skip per check, the largest error, and every failure with its reason. */
export function conformanceTable(doc: Document, series: readonly Series[]): HTMLElement | null {
  const rows = series.filter((s) => s.checks.length > 0);
  if (rows.length === 0) return null;
  const cell = (s: Series, check: Check) => {
    const mine = s.checks.filter((c) => c.check === check);
    if (mine.length === 0) return '–';
    const count = (status: string) => mine.filter((c) => c.status === status).length;
    return `${count('pass')} / ${count('fail')} / ${count('skip')}`;
  };
  const failures = rows.flatMap((s) => s.checks.filter((c) => c.status === 'fail').map((c) => `${s.key}: ${c.case} / ${c.check}: ${c.reason ?? 'failed'}`));
  const body = table(
    doc,
    'lc-conformance',
    ['backend', ...CHECK_ORDER.map((c) => `${c} pass / fail / skip`), 'max error'],
    rows.map((s) => {
      const errors = s.checks.flatMap((c) => (c.maxAbsError === null ? [] : [c.maxAbsError]));
      const failed = s.checks.some((c) => c.status === 'fail');
      const name = h(doc, 'span', failed ? { class: 'lc-bad' } : {}, s.key);
      return [name, ...CHECK_ORDER.map((c) => cell(s, c)), formatError(errors.length ? Math.max(...errors) : null)];
    }),
  );
  const skips = [...new Set(rows.flatMap((s) => s.checks.filter((c) => c.status === 'skip').map((c) => `${s.key}: ${c.reason ?? 'skipped'}`)))];
  return h(
    doc,
    'div',
    { class: 'lc-conformance-block' },
    body,
    failures.length > 0 && h(doc, 'ul', { class: 'lc-failures' }, ...failures.map((f) => h(doc, 'li', {}, f))),
    skips.length > 0 && h(doc, 'details', {}, h(doc, 'summary', {}, `Skipped checks: why (${skips.length})`), h(doc, 'ul', {}, ...skips.map((s) => h(doc, 'li', {}, s)))),
  );
}

/** Speed per backend at a glance: LinearConv ÷ conv, the control's noise band, GFLOP/s, errors. */
export function speedTable(doc: Document, series: readonly Series[]): HTMLElement | null {
  const rows = series.filter((s) => s.bench.length > 0 || s.omitted > 0 || s.failedCases > 0);
  if (rows.length === 0) return null;
  return table(
    doc,
    'lc-speed',
    ['backend', 'adapter / renderer', 'cases', 'LinearConv ÷ conv (geomean)', 'range', 'control (noise)', 'conv GFLOP/s (median)', 'max error', 'skipped', 'failed'],
    rows.map((s) => {
      const sum = speedSummary(s);
      const noisy = sum.control !== null && (sum.control.min < 1 - CONTROL_TOLERANCE || sum.control.max > 1 + CONTROL_TOLERANCE);
      const control = h(doc, 'span', noisy ? { class: 'lc-bad', title: `beyond ±${CONTROL_TOLERANCE * 100} %: this backend's ratios are noise` } : {}, formatRange(sum.control));
      return [
        s.key,
        s.adapter ?? '–',
        String(sum.measured),
        formatRatio(sum.ratio),
        formatRange(sum.ratioRange),
        control,
        formatGflops(sum.convGflopsMedian),
        formatError(sum.maxAbsError),
        String(s.omitted),
        String(s.failedCases),
      ];
    }),
  );
}

/** Every layer × batch: LinearConv's median time and its ratio to the conv, one column per backend (and result). */
export function layerTable(doc: Document, series: readonly Series[], layers: readonly { name: string; shape: string }[], batches: readonly number[]): HTMLElement | null {
  const columns = series.filter((s) => s.bench.length > 0);
  if (columns.length === 0) return null;
  const rows: (Node | string)[][] = [];
  for (const layer of layers) {
    for (const batch of batches) {
      const cells = columns.map((s): Node | string => {
        const of = (variant: string) => s.bench.find((r) => r.layer === layer.name && r.batch === batch && r.variant === variant);
        const linear = of('linearconv');
        const conv = of('conv');
        if (!linear || !conv) return '';
        const control = of('control');
        const title = `conv ${formatMs(conv.medianMs)} ms, LinearConv ${formatMs(linear.medianMs)} ms${control ? `, control ${formatRatio(control.ratioToConv)}` : ''}, ${formatGflops(linear.gflops)} GFLOP/s, max error ${formatError(Math.max(conv.maxAbsError, linear.maxAbsError))}`;
        return h(doc, 'span', { title }, `${formatMs(linear.medianMs)} `, h(doc, 'span', { class: 'lc-ratio' }, formatRatio(linear.ratioToConv)));
      });
      if (cells.every((c) => c === '')) continue;
      rows.push([layer.name, layer.shape, String(batch), ...cells]);
    }
  }
  return table(doc, 'lc-layers', ['layer', 'shape', 'batch', ...columns.map((s) => s.key)], rows);
}
