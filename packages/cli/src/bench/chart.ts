import { formatMs } from './format.js';
import type { BenchReport, BenchResult } from './result.js';

/** One colour per backend, by its place in the report's backend list (Tableau 10). */
export const BACKEND_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const LABELS = 250;
const PANEL = 420;
const GAP = 30;
const BAR = 3;
const GROUP_GAP = 10;
const TOP = 120;

/**
 * Latency per backend per layer as grouped horizontal bars on a log scale: one panel per batch
 * size, one group per layer, in each group one bar per backend and variant (plain conv solid,
 * LinearConv light). Hand-written SVG, one `rect.bar` per result row, a `title` on each.
 */
export function latencyChartSvg(report: Pick<BenchReport, 'settings' | 'layers' | 'results'>): string {
  // Backends with no result (unavailable, or everything skipped) get no bar slots.
  const backends = report.settings.backends.filter((b) => report.results.some((r) => r.backend === b));
  const colour = (backend: string) => BACKEND_COLOURS[report.settings.backends.indexOf(backend) % BACKEND_COLOURS.length];
  const batches = report.settings.batches;
  const slots = backends.length * 2;
  const groupHeight = Math.max(1, slots) * BAR + GROUP_GAP;
  const width = LABELS + batches.length * (PANEL + GAP) + 10;
  const height = TOP + report.layers.length * groupHeight + 40;
  const parts: string[] = [];
  parts.push(
    `<text x="10" y="22" font-size="16" font-weight="bold">Forward latency per layer, ms (log scale): plain conv solid, LinearConv light</text>`,
    ...legend(backends, colour),
  );
  batches.forEach((batch, p) => {
    const left = LABELS + p * (PANEL + GAP);
    const rows = report.results.filter((r) => r.batch === batch);
    parts.push(`<text x="${left + PANEL / 2}" y="${TOP - 22}" text-anchor="middle" font-weight="bold">batch ${batch}</text>`);
    if (rows.length === 0) return;
    const [lo, hi] = decades(rows.map((r) => r.medianMs));
    const x = (ms: number) => left + (PANEL * (Math.log10(ms) - lo)) / (hi - lo);
    for (let d = lo; d <= hi; d++) {
      const gx = round(x(10 ** d));
      parts.push(
        `<line x1="${gx}" y1="${TOP - 8}" x2="${gx}" y2="${height - 34}" stroke="#ddd"/>`,
        `<text x="${gx}" y="${height - 20}" text-anchor="middle" font-size="10">${d < 0 ? (10 ** d).toFixed(-d) : 10 ** d}</text>`,
      );
    }
    parts.push(`<text x="${left + PANEL / 2}" y="${height - 6}" text-anchor="middle" font-size="11">ms</text>`);
    report.layers.forEach((layer, g) => {
      const top = TOP + g * groupHeight;
      backends.forEach((backend, b) => {
        for (const [v, variant] of (['conv', 'linearconv'] as const).entries()) {
          const r = rows.find((row) => row.layer === layer.name && row.backend === backend && row.variant === variant);
          if (!r) continue;
          parts.push(bar(r, left, round(x(r.medianMs) - left), top + (b * 2 + v) * BAR, colour(backend)));
        }
      });
    });
  });
  report.layers.forEach((layer, g) => {
    const y = round(TOP + g * groupHeight + (groupHeight - GROUP_GAP) / 2);
    parts.push(
      `<text x="${LABELS - 8}" y="${y - 2}" text-anchor="end" font-size="11">${escapeXml(layer.name)}</text>`,
      `<text x="${LABELS - 8}" y="${y + 11}" text-anchor="end" font-size="10" fill="#555">${escapeXml(layer.shape)}</text>`,
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}

function bar(r: BenchResult, x: number, width: number, y: number, colour: string): string {
  const title = `${r.backend} · ${r.variant} · ${r.layer} · batch ${r.batch}: ${formatMs(r.medianMs)} ms${r.ratioToConv === null ? '' : ` (×${r.ratioToConv.toFixed(2)} the conv)`}`;
  const light = r.variant === 'linearconv' ? ' fill-opacity="0.45"' : '';
  return `<rect class="bar" x="${x}" y="${y}" width="${Math.max(1, width)}" height="${BAR}" fill="${colour}"${light} data-backend="${escapeXml(r.backend)}" data-variant="${r.variant}"><title>${escapeXml(title)}</title></rect>`;
}

function legend(backends: readonly string[], colourOf: (backend: string) => string): string[] {
  const perRow = 5;
  return backends.map((backend, i) => {
    const x = 10 + (i % perRow) * 190;
    const y = 36 + Math.floor(i / perRow) * 20;
    const colour = colourOf(backend);
    return (
      `<g class="legend"><rect x="${x}" y="${y}" width="12" height="12" fill="${colour}"/>` +
      `<rect x="${x + 14}" y="${y}" width="12" height="12" fill="${colour}" fill-opacity="0.45"/>` +
      `<text x="${x + 32}" y="${y + 10}">${escapeXml(backend)}</text></g>`
    );
  });
}

/** The whole decades around the values, at least one apart: [log10 low, log10 high]. */
function decades(values: readonly number[]): [number, number] {
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  return [lo, Math.max(hi, lo + 1)];
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
