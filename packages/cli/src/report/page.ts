import { latencyChartSvg } from '../bench/chart.js';
import { controlNotes } from '../bench/control.js';
import { formatError, formatGflops, formatMs, formatRatio, summaryCells, summaryHeader } from '../bench/format.js';
import { describeMachine } from '../bench/machine.js';
import { benchNotes } from '../bench/notes.js';
import type { BenchReport, Machine } from '../bench/result.js';
import { caseRows, summariseBackends } from '../bench/summary.js';
import type { Heatmap, ReproduceResults, Spread } from './reproduce.js';

export interface ReportInput {
  /** The command line that writes this page. */
  readonly command: string;
  readonly date: string;
  readonly machine: Machine;
  readonly bench: { readonly file: string; readonly report: BenchReport | null };
  /** Null when no training results were asked for: the page has no training section. */
  readonly reproduce: { readonly file: string; readonly found: { results: ReproduceResults; heatmaps: readonly Heatmap[] } | null } | null;
}

/** How to produce each part when its file is missing. */
export const PRODUCERS = {
  bench: 'linearconv bench',
  reproduce: 'pnpm reproduce (in a clone of the linearconv repository)',
};

/** One self-contained HTML page: inline CSS and SVG, no scripts, nothing fetched. */
export function reportPage(input: ReportInput): string {
  const training = input.reproduce?.found?.results.kind === 'smoke' ? 'a training smoke run' : 'paper parity';
  const title = input.reproduce ? `linearconv: speed and ${training}` : 'linearconv: speed';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${title}</h1>
<p class="meta">Generated ${escapeHtml(input.date)} by <code>${escapeHtml(input.command)}</code> on ${escapeHtml(describeMachine(input.machine))}.</p>
${benchSection(input.bench)}
${input.reproduce ? reproduceSection(input.reproduce) : ''}
</body>
</html>
`;
}

function benchSection({ file, report }: ReportInput['bench']): string {
  const head = '<section id="bench">\n<h2>Speed: LinearConv against a plain conv of the same shape</h2>';
  if (!report) return `${head}\n${missing(file, PRODUCERS.bench)}\n</section>`;
  const backends = report.settings.backends;
  const shapes = new Map(report.layers.map((l) => [l.name, l.shape]));
  const batches = report.settings.batches;
  const summary = summariseBackends(report).map((s) =>
    s.unavailable !== undefined
      ? `<tr><td>${escapeHtml(s.backend)}</td><td colspan="${summaryHeader(batches).length}" class="note">unavailable: ${escapeHtml(s.unavailable)}</td></tr>`
      : row([s.backend, ...summaryCells(s)]),
  );
  const cases = caseRows(report).map((r) => {
    const cells = r.cells.map((cell) => {
      if (cell.kind === 'measured') {
        const { conv, linearconv, control } = cell;
        const title =
          `conv ${formatMs(conv.medianMs)} ms, linearconv ${formatMs(linearconv.medianMs)} ms${control ? `, control ${formatRatio(control.ratioToConv)}` : ''}, ` +
          `${formatGflops(linearconv.gflops)} GFLOP/s, max error ${formatError(Math.max(conv.maxAbsError, linearconv.maxAbsError))}`;
        return `<td class="num" title="${escapeHtml(title)}">${formatMs(linearconv.medianMs)} <span class="ratio">${formatRatio(linearconv.ratioToConv)}</span></td>`;
      }
      if (cell.kind === 'none') return '<td></td>';
      const label = cell.kind === 'unavailable' ? 'unavailable' : cell.reason.startsWith('skipped') ? 'skipped' : 'failed';
      return `<td class="note" title="${escapeHtml(cell.reason)}">${label}</td>`;
    });
    return `<tr><td>${escapeHtml(r.layer)}</td><td>${escapeHtml(shapes.get(r.layer) ?? '')}</td><td class="num">${r.batch}</td>${cells.join('')}</tr>`;
  });
  const omissions = [...new Set(report.omitted.map((o) => `${o.backend}: ${o.reason}`))];
  return `${head}
<p class="meta">From <code>${escapeHtml(file)}</code>: <code>${escapeHtml(report.command)}</code>, ${escapeHtml(report.date)}, ${report.totalSeconds.toFixed(0)} s.</p>
${benchNotes(report)
  .map((n) => `<p>${escapeHtml(n)}</p>`)
  .join('\n')}
<h3>Per backend</h3>
<table class="summary">
<thead>${row(['backend', ...summaryHeader(batches)], 'th')}</thead>
<tbody>
${summary.join('\n')}
</tbody>
</table>
${controlNotes(report)
  .map((n) => `<p class="control">${escapeHtml(n)}</p>`)
  .join('\n')}
<h3>LinearConv latency in ms (ratio to the plain conv) per layer and backend</h3>
<div class="wide">
<table class="cases">
<thead>${row(['layer', 'shape', 'batch', ...backends], 'th')}</thead>
<tbody>
${cases.join('\n')}
</tbody>
</table>
</div>
${omissions.length ? `<details><summary>Not measured (${report.omitted.length} case${report.omitted.length === 1 ? '' : 's'})</summary><ul>${omissions.map((o) => `<li>${escapeHtml(o)}</li>`).join('')}</ul></details>` : ''}
<h3>Latency chart</h3>
<figure class="wide">${stripProlog(latencyChartSvg(report))}</figure>
</section>`;
}

function reproduceSection({ file, found }: NonNullable<ReportInput['reproduce']>): string {
  if (!found) return `<section id="reproduce">\n<h2>Training: Conv, -L, -Lr and -LRr</h2>\n${missing(file, PRODUCERS.reproduce)}\n</section>`;
  const { results, heatmaps } = found;
  const smoke = results.kind === 'smoke';
  const head = smoke
    ? '<section id="reproduce">\n<h2>Training smoke run (not paper parity): Conv, -L, -Lr and -LRr</h2>'
    : '<section id="reproduce">\n<h2>Paper parity: accuracy of Conv, -L, -Lr and -LRr</h2>';
  const s = results.settings;
  const scale = [
    results.budget && `budget ${results.budget}`,
    s?.model && `model ${s.model}`,
    s?.train !== undefined && `${s.train} train / ${s.test} test images per dataset`,
    s?.epochs !== undefined && `${s.epochs} epoch${s.epochs === 1 ? '' : 's'}`,
    s?.stepsPerRun !== undefined && `${s.stepsPerRun} training steps a run`,
    s?.seeds && `seeds ${s.seeds.join(', ')}`,
  ].filter(Boolean);
  // A smoke run is compared with chance only: its deltas and the paper's figures do not compare.
  const header = smoke
    ? ['dataset', 'variant', 'params', 'test accuracy %', 'chance %']
    : ['dataset', 'variant', 'params', 'test accuracy %', 'Δ vs Conv (pp)', 'paper (Conv accuracy, or Δ)'];
  const rows = results.summary.map((r) =>
    row(
      smoke
        ? [r.dataset, r.variant, r.params.toLocaleString('en'), spread(r.accuracy), results.chance?.[r.dataset]?.toFixed(2) ?? '–']
        : [
            r.dataset,
            r.variant,
            r.params.toLocaleString('en'),
            spread(r.accuracy),
            r.deltaVsConv ? spread(r.deltaVsConv, true) : '–',
            r.paper.accuracy !== undefined ? `${r.paper.accuracy.toFixed(1)} %` : r.paper.delta !== undefined ? signed(r.paper.delta, 1) : '–',
          ],
    ),
  );
  const reading = smoke
    ? '<p class="control">A smoke run: too few training steps to compare the variants with each other or with the paper (which trains up to 250 epochs on the full datasets). ' +
      'It shows that every variant trains: compare its accuracies with chance (always answering the most frequent test class).</p>'
    : '<p>Accuracy is the mean ± sample standard deviation over seeds; Δ vs Conv is paired by seed. The paper trains on the full datasets for far longer, so its deltas compare in sign and size only.</p>';
  return `${head}
<p class="meta">From <code>${escapeHtml(file)}</code>${results.command ? `: <code>${escapeHtml(results.command)}</code>` : ''}${results.date ? `, ${escapeHtml(results.date)}` : ''}${results.machine ? `, on ${escapeHtml(results.machine)}` : ''}.</p>
${scale.length ? `<p>${escapeHtml(scale.join('; '))}.</p>` : ''}
${reading}
<table class="summary">
<thead>${row(header, 'th')}</thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${
  heatmaps.length
    ? `<h3>Filter correlation heatmaps</h3>\n<div class="heatmaps">\n${heatmaps.map((h, i) => `<figure>${scopeIds(stripProlog(h.svg), `heatmap${i}-`)}<figcaption>${escapeHtml(h.file)}</figcaption></figure>`).join('\n')}\n</div>`
    : '<p class="note">No heatmap SVGs beside the results.</p>'
}
</section>`;
}

function missing(file: string, command: string): string {
  return `<p class="missing">No results at <code>${escapeHtml(file)}</code>. Produce them with <code>${escapeHtml(command)}</code>, then run the report again.</p>`;
}

function row(cells: readonly string[], tag: 'td' | 'th' = 'td'): string {
  return `<tr>${cells.map((c, i) => `<${tag}${tag === 'td' && i > 0 && /^[\d×.,–−+ ±e-]+( %)?$/.test(c) ? ' class="num"' : ''}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
}

function spread(s: Spread, sign = false): string {
  const mean = sign ? signed(s.mean, 2) : s.mean.toFixed(2);
  return s.sd === null || s.sd === undefined ? mean : `${mean} ± ${s.sd.toFixed(2)}`;
}

function signed(x: number, digits: number): string {
  return `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(digits)}`;
}

/** An SVG file as inline markup: without its XML declaration, and without scripts. */
function stripProlog(svg: string): string {
  return svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '').replace(/<script[\s\S]*?<\/script>/gi, '');
}

/** Prefixes the SVG's ids and their references: inlined side by side, each keeps its own gradients. */
function scopeIds(svg: string, prefix: string): string {
  return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 24px auto; max-width: 1700px; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 32px; } h3 { font-size: 15px; }
.meta { color: #555; }
code { background: #f3f3f3; padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f5f5f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.note, p.note { color: #888; }
.ratio { color: #555; font-size: 12px; }
.wide { overflow-x: auto; margin: 0; }
p.control { background: #f4f8fc; border-left: 3px solid #4e79a7; padding: 4px 10px; margin: 6px 0; }
.missing { background: #fff4e5; border: 1px solid #f0c36d; padding: 8px 12px; }
.heatmaps { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; } figcaption { color: #555; font-size: 12px; }
`;
