import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { BackendRegistry, referenceFactory } from '@linearconv/conformance';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_COLOURS } from './bench/chart.js';
import type { BenchReport } from './bench/result.js';
import { machine } from './bench/machine.js';
import { runBench } from './bench/run-bench.js';
import { withPage } from './report/browser.js';
import { reportPage } from './report/page.js';
import { cli, tinyLayers } from './test-support/bench-fixtures.js';

/** RGB(A) pixels of an 8-bit, non-interlaced PNG (what Chromium's screenshots are). */
function decodePng(png: Buffer): { width: number; height: number; pixel(i: number): [number, number, number] } {
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  let offset = 8;
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString();
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const width = header!.readUInt32BE(0);
  const height = header!.readUInt32BE(4);
  expect([header![8], header![12]]).toEqual([8, 0]);
  const channels = ({ 2: 3, 6: 4 } as Record<number, number>)[header![9]];
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      pixels[y * stride + x] = (v + [0, a, b, (a + b) >> 1, paeth][filter]) & 255;
    }
  }
  return { width, height, pixel: (i) => [pixels[i * channels], pixels[i * channels + 1], pixels[i * channels + 2]] };
}

/** A 2×2 heatmap with a gradient legend, as the reproduce run writes them (each with the same gradient id). */
const HEATMAP = `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="60" viewBox="0 0 80 60"><defs><linearGradient id="scale" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#b2182b"/><stop offset="1" stop-color="#2166ac"/></linearGradient></defs><rect class="cell" x="0" y="0" width="30" height="30" fill="#b2182b"/><rect class="cell" x="30" y="0" width="30" height="30" fill="#f7f7f7"/><rect class="cell" x="0" y="30" width="30" height="30" fill="#f7f7f7"/><rect class="cell" x="30" y="30" width="30" height="30" fill="#2166ac"/><rect class="legend" x="66" y="0" width="10" height="60" fill="url(#scale)"/></svg>`;

const reproduce = {
  command: 'node dist/reproduce/main.js --budget smoke',
  budget: 'smoke',
  date: '2026-11-26T00:00:00.000Z',
  machine: 'test machine',
  settings: { model: 'base', train: 100, test: 50, epochs: 1, seeds: [1] },
  summary: [
    { dataset: 'fashion', variant: 'conv', params: 399626, accuracy: { mean: 80.5, sd: null, n: 1 }, deltaVsConv: null, paper: { accuracy: 93.5 } },
    { dataset: 'fashion', variant: 'Lr', params: 227418, accuracy: { mean: 79.25, sd: null, n: 1 }, deltaVsConv: { mean: -1.25, sd: null, n: 1 }, paper: { delta: -0.2 } },
    { dataset: 'fashion', variant: 'LRr', params: 210458, accuracy: { mean: 78, sd: 0.5, n: 2 }, deltaVsConv: { mean: -2.5, sd: 0.25, n: 2 }, paper: { delta: -0.8 } },
  ],
};

describe('linearconv report', () => {
  let dir: string;
  let bench: BenchReport;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-'));
    // A tiny real bench run, written the way linearconv bench writes it.
    const registry = new BackendRegistry([referenceFactory]);
    bench = await runBench(registry, {
      layers: tinyLayers(),
      batches: [1, 2],
      backends: ['reference'],
      timing: { warmup: 1, minRuns: 1, maxRuns: 1, budgetMs: 0 },
      seed: 3,
      quick: true,
      command: 'linearconv bench (test)',
    });
    writeFileSync(join(dir, 'bench.json'), JSON.stringify(bench));
    mkdirSync(join(dir, 'reproduce'));
    writeFileSync(join(dir, 'reproduce', 'results.json'), JSON.stringify(reproduce));
    writeFileSync(join(dir, 'reproduce', 'heatmap-fashion-Lr.svg'), `<?xml version="1.0" encoding="UTF-8"?>\n${HEATMAP}`);
    writeFileSync(join(dir, 'reproduce', 'heatmap-fashion-LRr.svg'), HEATMAP);
  });

  it('renders tables, the chart and the heatmaps in Chromium, from 127.0.0.1 only; the screenshot is not blank', async () => {
    const out = join(dir, 'report.html');
    const png = join(dir, 'report.png');
    const args = ['report', '--bench', join(dir, 'bench.json'), '--reproduce', join(dir, 'reproduce', 'results.json'), '--out', out];
    const { code, out: stdout, err } = await cli(...args, '--screenshot', png);
    expect(code, err).toBe(0);
    expect(stdout).toContain(`wrote ${png}`);
    const html = readFileSync(out, 'utf8');
    // The commands that produced each part, and no external references.
    expect(html).toContain('linearconv bench (test)');
    expect(html).toContain(reproduce.command);
    expect(html).toContain(`linearconv report --bench ${join(dir, 'bench.json')}`);
    expect(html).not.toMatch(/(src|href)=|<script|@import|url\((?!#)/i);

    const seen = await withPage(html, async ({ page, url, requests }) => ({
      url,
      requests: [...requests],
      summaryRows: await page.locator('#bench table.summary tbody tr').count(),
      caseRows: await page.locator('#bench table.cases tbody tr').count(),
      bars: await page.locator('#bench svg rect.bar').count(),
      reproduceRows: await page.locator('#reproduce table tbody tr').count(),
      lastReproduceRow: await page.locator('#reproduce table tbody tr').nth(2).locator('td').allTextContents(),
      heatmapCells: await page.locator('#reproduce .heatmaps svg rect.cell').count(),
      ids: await Promise.all((await page.locator('[id]').all()).map(async (e) => (await e.getAttribute('id'))!)),
      chartBox: await page.locator('#bench svg').boundingBox(),
    }));
    expect(seen.requests).toEqual([seen.url]);
    expect(seen.summaryRows).toBe(1);
    expect(seen.caseRows).toBe(tinyLayers().length * 2);
    expect(seen.bars).toBe(bench.results.filter((r) => r.variant !== 'control').length);
    expect(seen.reproduceRows).toBe(3);
    expect(seen.lastReproduceRow).toEqual(['fashion', 'LRr', '210,458', '78.00 ± 0.50', '−2.50 ± 0.25', '−0.8']);
    expect(seen.heatmapCells).toBe(2 * 4);
    // Each inlined heatmap keeps its own gradient: no id twice in the page.
    expect(seen.ids.filter((id) => id.endsWith('scale'))).toHaveLength(2);
    expect(new Set(seen.ids).size).toBe(seen.ids.length);
    expect(seen.chartBox!.height).toBeGreaterThan(200);

    // The screenshot: a full page, mostly but not all white, with the chart's bars in the first backend's colour.
    const image = decodePng(readFileSync(png));
    expect(image.width).toBe(1700);
    const bar = BACKEND_COLOURS[0].match(/\w\w/g)!.map((h) => Number.parseInt(h, 16));
    let ink = 0;
    let barPixels = 0;
    for (let i = 0; i < image.width * image.height; i++) {
      const [r, g, b] = image.pixel(i);
      if (r < 240 || g < 240 || b < 240) ink++;
      if (r === bar[0] && g === bar[1] && b === bar[2]) barPixels++;
    }
    expect(ink / (image.width * image.height)).toBeGreaterThan(0.01);
    expect(ink / (image.width * image.height)).toBeLessThan(0.6);
    expect(barPixels).toBeGreaterThan(50);
  });

  it('says which command produces a missing part instead of failing', async () => {
    const out = join(dir, 'empty.html');
    const { code } = await cli('report', '--bench', join(dir, 'none.json'), '--reproduce', join(dir, 'none', 'results.json'), '--out', out);
    expect(code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain(`No results at <code>${join(dir, 'none.json')}</code>. Produce them with <code>linearconv bench</code>`);
    expect(html).toContain('Produce them with <code>pnpm reproduce (in a clone of the linearconv repository)</code>');
  });

  it('shows a smoke run as one: against chance, with no Δ vs Conv and no paper figures', () => {
    const smoke = { ...reproduce, kind: 'smoke', chance: { fashion: 11.8 }, settings: { ...reproduce.settings, stepsPerRun: 20 } } as const;
    const page = (results: object) =>
      reportPage({
        command: 'test',
        date: 'now',
        machine: machine(0),
        bench: { file: 'bench.json', report: bench },
        reproduce: { file: 'results.json', found: { results: results as never, heatmaps: [] } },
      });
    const section = (html: string) => html.slice(html.indexOf('<section id="reproduce">'));
    const html = page(smoke);
    expect(html).toContain('<title>linearconv: speed and a training smoke run</title>');
    expect(section(html)).toContain('<h2>Training smoke run (not paper parity): Conv, -L, -Lr and -LRr</h2>');
    expect(section(html)).toContain('<tr><th>dataset</th><th>variant</th><th>params</th><th>test accuracy %</th><th>chance %</th></tr>');
    expect(section(html)).toContain('<tr><td>fashion</td><td>LRr</td><td class="num">210,458</td><td class="num">78.00 ± 0.50</td><td class="num">11.80</td></tr>');
    expect(section(html)).toContain('20 training steps a run');
    expect(section(html)).not.toMatch(/Δ|−0\.8|93\.5/);
    // Without a kind (results written before it), as a parity run: the paper's figures.
    const parity = page(reproduce);
    expect(parity).toContain('<title>linearconv: speed and paper parity</title>');
    expect(section(parity)).toContain('<h2>Paper parity: accuracy of Conv, -L, -Lr and -LRr</h2>');
    expect(section(parity)).toContain('<td class="num">−2.50 ± 0.25</td><td class="num">−0.8</td>');
  });

  it("shows the control's verdict on the page, and reads a bench.json from before the control", async () => {
    const html = reportPage({ command: 'test', date: 'now', machine: machine(0), bench: { file: 'bench.json', report: bench }, reproduce: null });
    expect(html).toContain('<p class="control">Control: each case also times a second copy of the plain conv');
    expect(html).toContain('<th>control (range)</th>');
    const old = join(dir, 'bench-v1.json');
    writeFileSync(old, JSON.stringify({ ...bench, format: 'linearconv-bench@1', results: bench.results.filter((r) => r.variant !== 'control') }));
    const out = join(dir, 'v1.html');
    const { code, err } = await cli('report', '--bench', old, '--out', out);
    expect(code, err).toBe(0);
    const v1 = readFileSync(out, 'utf8');
    expect(v1).toContain('No control was measured (a linearconv-bench@1 report)');
    expect(v1).toMatch(/<td class="num">–<\/td><td class="num">[\d.]+<\/td>/);
  });

  it('exits 2 on a file that is not what it should be, naming it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ results: [] }));
    const { code, err } = await cli('report', '--bench', bad, '--out', join(dir, 'bad.html'));
    expect(code).toBe(2);
    expect(err).toContain(`${bad}: format: must be "linearconv-bench@1" or "linearconv-bench@2"`);
    const { code: code2, err: err2 } = await cli('report', '--bench', join(dir, 'bench.json'), '--reproduce', bad, '--out', join(dir, 'bad.html'));
    expect(code2).toBe(2);
    expect(err2).toContain(`${bad}: summary: must be a list`);
  });
});
