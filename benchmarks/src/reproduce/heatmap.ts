/**
 * A filter-correlation heatmap as a standalone SVG: one rect per matrix cell, coloured by
 * |correlation| on a fixed 0..1 scale (so pictures of different variants compare), with a
 * legend and a caption. Hand-written: no charting library for a grid of squares.
 * Trained filters mostly correlate by 0.0–0.3, so the colour follows √|corr|: the low end,
 * where decorrelation shows, gets most of the scale.
 */

export interface HeatmapOptions {
  /** Row-major n × n values in [0, 1]. */
  matrix: readonly number[];
  n: number;
  title: string;
  /** Lines under the picture. */
  caption: readonly string[];
}

const GRID = 384;
const MARGIN = 16;
const LEGEND = 64;
const WIDTH = 640;
const LINE = 16;

// A sequential blue scale (ColorBrewer Blues, end points): white is no correlation.
const STOPS: readonly [number, [number, number, number]][] = [
  [0, [247, 251, 255]],
  [0.25, [198, 219, 239]],
  [0.5, [107, 174, 214]],
  [0.75, [33, 113, 181]],
  [1, [8, 48, 107]],
];

export function heatmapSvg({ matrix, n, title, caption }: HeatmapOptions): string {
  if (matrix.length !== n * n) throw new Error(`heatmap: expected ${n}×${n} = ${n * n} values, got ${matrix.length}`);
  const cell = GRID / n;
  const top = MARGIN + 3 * LINE;
  const width = Math.max(WIDTH, MARGIN + GRID + LEGEND + MARGIN);
  const height = top + GRID + MARGIN + caption.length * LINE + MARGIN;
  const cells: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = matrix[i * n + j];
      if (!(v >= 0 && v <= 1)) throw new Error(`heatmap: value ${v} at (${i}, ${j}) is outside [0, 1]`);
      const [x, y] = [MARGIN + j * cell, top + i * cell];
      cells.push(`<rect class="cell" x="${r(x)}" y="${r(y)}" width="${r(cell)}" height="${r(cell)}" fill="${colour(v)}" data-value="${v.toFixed(4)}"/>`);
    }
  }
  const legendX = MARGIN + GRID + 16;
  // Top of the bar is |corr| = 1; offsets must ascend.
  const gradient = [...STOPS].reverse().map(([at, rgb]) => `<stop offset="${(1 - at) * 100}%" stop-color="${hex(rgb)}"/>`).join('');
  const ticks = [1, 0.5, 0.25, 0.1, 0]
    .map((v) => {
      const y = top + (1 - Math.sqrt(v)) * GRID;
      return `<line x1="${legendX + 14}" y1="${r(y)}" x2="${legendX + 18}" y2="${r(y)}" stroke="#666666"/><text x="${legendX + 20}" y="${r(y + 4)}">${v}</text>`;
    })
    .join('');
  const lines = caption.map((text, k) => `<text x="${MARGIN}" y="${top + GRID + MARGIN + (k + 1) * LINE - 4}">${escapeXml(text)}</text>`).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<defs><linearGradient id="scale" x1="0" y1="0" x2="0" y2="1">${gradient}</linearGradient></defs>`,
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 4}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${MARGIN}" y="${MARGIN + LINE + 4}">|Pearson correlation| between filters i (row) and j (column), ${n} × ${n}; colour ∝ √|corr|</text>`,
    `<g class="grid">`,
    ...cells,
    `</g>`,
    `<rect class="legend" x="${legendX}" y="${top}" width="14" height="${GRID}" fill="url(#scale)" stroke="#999999"/>`,
    ticks,
    `<text x="${legendX}" y="${top - 6}">|corr|</text>`,
    lines,
    `</svg>`,
    '',
  ].join('\n');
}

/** The colour of |corr| = `v` in [0, 1]: √v, linearly between the stops. */
export function colour(v: number): string {
  const u = Math.sqrt(v);
  let k = 1;
  while (k < STOPS.length - 1 && u > STOPS[k][0]) k++;
  const [[a, ca], [b, cb]] = [STOPS[k - 1], STOPS[k]];
  const t = Math.min(1, Math.max(0, (u - a) / (b - a)));
  return hex(ca.map((c, i) => c + t * (cb[i] - c)) as [number, number, number]);
}

function hex(rgb: readonly number[]): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

function r(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
