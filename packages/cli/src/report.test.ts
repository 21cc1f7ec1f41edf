import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { type BackendFactory, BackendRegistry, referenceBackend, referenceFactory } from '@linearconv/conformance';
import { type BenchReport, runBench } from '@linearconv/conformance/bench';
import { nodeDevice } from '@linearconv/conformance/node';
import { openChromiumPage } from '@linearconv/lab/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPORT_DATA_ID, labels } from './report/page.js';
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

/** The data block that linearconv report embeds in the page. */
function embedded(html: string): { title: string; results: { label: string; value: BenchReport }[]; reproduce?: { results: { kind?: string } }; missing: { what: string; file: string; command: string }[] } {
  const match = html.match(new RegExp(`<script type="application/json" id="${REPORT_DATA_ID}">(.*?)</script>`, 's'));
  expect(match, 'the data block').not.toBeNull();
  return JSON.parse(match![1]);
}

/** The reference backend under other names: real runs, enough columns to overflow a 1400 px page if the table were not boxed. */
const COPIES = ['copy-1', 'copy-2', 'copy-3', 'copy-4', 'copy-5', 'copy-6', 'copy-7'];
const broken: BackendFactory = {
  name: 'broken',
  create: async () => {
    throw new Error('no device here');
  },
};

/** A 3×3 |correlation| matrix of 3 primaries (row-major), as results.json stores them. */
const MATRIX = [1, 0.25, 0.5, 0.25, 1, 0.125, 0.5, 0.125, 1];

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
  runs: ['conv', 'Lr', 'LRr'].map((variant) => ({ dataset: 'fashion', variant, seed: 1, correlation: { layer: 'conv2', primaries: { filters: 3, matrix: MATRIX, meanAbs: 0.29 } } })),
};

describe('linearconv report', () => {
  let dir: string;
  let bench: BenchReport;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-'));
    // Two tiny real bench runs, written the way linearconv bench writes them.
    const registry = new BackendRegistry([referenceFactory, broken, ...COPIES.map((name) => ({ name, create: async () => ({ ...referenceBackend(), name }) }))]);
    const run = (seed: number) =>
      runBench(registry, {
        layers: tinyLayers(),
        batches: [1, 2],
        backends: ['reference', 'broken', ...COPIES],
        timing: { warmup: 1, minRuns: 1, maxRuns: 1, budgetMs: 0 },
        seed,
        quick: true,
        command: `linearconv bench (test ${seed})`,
        device: nodeDevice(),
      });
    bench = await run(3);
    writeFileSync(join(dir, 'bench.json'), JSON.stringify(bench));
    writeFileSync(join(dir, 'bench-2.json'), JSON.stringify(await run(4)));
    mkdirSync(join(dir, 'reproduce'));
    writeFileSync(join(dir, 'reproduce', 'results.json'), JSON.stringify(reproduce));
  });

  it('writes the lab report page with the data embedded; from file:// Chromium draws its tables and charts, within 1400 px, fetching nothing', async () => {
    const out = join(dir, 'report.html');
    const png = join(dir, 'report.png');
    const files = [join(dir, 'bench.json'), join(dir, 'bench-2.json')];
    const args = ['report', '--bench', files[0], '--bench', files[1], '--reproduce', join(dir, 'reproduce', 'results.json'), '--out', out];
    const { code, out: stdout, err } = await cli(...args, '--screenshot', png);
    expect(code, err).toBe(0);
    expect(stdout).toContain(`wrote ${png}`);
    const html = readFileSync(out, 'utf8');
    const data = embedded(html);
    expect(data.title).toBe('linearconv: speed and paper parity');
    // Labelled by the shortest part of their paths that tells them apart.
    expect(data.results.map((r) => r.label)).toEqual(['bench.json', 'bench-2.json']);
    expect(labels(['/r/latest/bench/bench.json', '/r/bench/bench.json'])).toEqual(['latest/bench/bench.json', 'r/bench/bench.json']);
    expect(data.results[0].value).toEqual(bench);
    // One file: no script, stylesheet or image it would load from elsewhere.
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*\shref=|<img/i);

    const requests: string[] = [];
    const url = pathToFileURL(out).href;
    const opened = await openChromiumPage(url, { viewport: { width: 1400, height: 900 }, beforeOpen: async (context) => void context.on('request', (r) => requests.push(r.url())) });
    const inspect = async () => {
      const { page } = opened;
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 30_000 });
      return page.evaluate(() => {
        const texts = (selector: string) => [...document.querySelectorAll(selector)].map((e) => e.textContent!.trim());
        return {
          title: document.title,
          charts: [...document.querySelectorAll('figure.lc-chart')].map((f) => ({
            name: f.getAttribute('data-chart'),
            legend: [...f.querySelectorAll('[data-legend="backend"] [class$="-swatch"]')].map((s) => s.textContent!.trim()),
            marks: f.querySelectorAll('svg.lc-plot circle, svg.lc-plot path, svg.lc-plot line').length,
            width: f.querySelector('svg.lc-plot')!.getBoundingClientRect().width,
          })),
          speedRows: texts('table.lc-speed tbody tr td:first-child'),
          layerRows: document.querySelectorAll('table.lc-layers tbody tr').length,
          layerBox: document.querySelector('table.lc-layers')!.parentElement!.getBoundingClientRect().right,
          layerTable: document.querySelector('table.lc-layers')!.getBoundingClientRect().width,
          pageWidth: document.documentElement.scrollWidth,
          control: texts('p.lc-control').join(' '),
          reproduceRows: [...document.querySelectorAll('.lc-reproduction table tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
          heatmapCells: document.querySelectorAll('.lc-heatmap-figure svg rect').length,
        };
      });
    };
    const seen = await inspect().finally(() => opened.close());
    expect(opened.errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(seen.title).toBe('linearconv: speed and paper parity');
    const backends = ['reference', 'broken', ...COPIES];
    expect(seen.charts.map((c) => c.name)).toEqual(['ratio', 'gflops', 'errors']);
    for (const chart of seen.charts) {
      expect(chart.legend).toEqual(backends);
      expect(chart.marks).toBeGreaterThan(10);
      expect(chart.width).toBeLessThanOrEqual(1400);
    }
    // Both files side by side, each measured backend of each a row.
    const measured = ['reference', ...COPIES];
    expect(seen.speedRows).toEqual(measured.flatMap((b) => ['bench.json', 'bench-2.json'].map((f) => `${b} · ${f}`)));
    expect(seen.layerRows).toBe(tinyLayers().length * 2);
    // The per-layer table (16 columns) is wider than the page, and scrolls inside its own box.
    expect(seen.layerTable).toBeGreaterThan(1400);
    expect(seen.layerBox).toBeLessThanOrEqual(1400);
    expect(seen.pageWidth).toBeLessThanOrEqual(1400);
    expect(seen.control).toContain('Control: each case also times a second copy of the plain conv');
    expect(seen.reproduceRows).toHaveLength(3);
    expect(seen.reproduceRows[2]).toEqual(['fashion', 'LRr', '210,458', '78.00 ± 0.50', '−2.50 ± 0.25', '−0.8']);
    expect(seen.heatmapCells).toBe(3 * MATRIX.length);

    // The screenshot: the whole page, mostly but not all white, with marks in the first backend's colour (#4269d0).
    const image = decodePng(readFileSync(png));
    expect(image.width).toBe(1400);
    let ink = 0;
    let first = 0;
    for (let i = 0; i < image.width * image.height; i++) {
      const [r, g, b] = image.pixel(i);
      if (r < 240 || g < 240 || b < 240) ink++;
      if (Math.abs(r - 0x42) < 8 && Math.abs(g - 0x69) < 8 && Math.abs(b - 0xd0) < 8) first++;
    }
    expect(ink / (image.width * image.height)).toBeGreaterThan(0.01);
    expect(ink / (image.width * image.height)).toBeLessThan(0.6);
    expect(first).toBeGreaterThan(50);
    // Two Chromium launches (the CLI's screenshot and this check) on a shared 2-core machine.
  }, 120_000);

  it('says which command produces a missing part instead of failing', async () => {
    const out = join(dir, 'empty.html');
    const { code } = await cli('report', '--bench', join(dir, 'none.json'), '--reproduce', join(dir, 'none', 'results.json'), '--out', out);
    expect(code).toBe(0);
    const data = embedded(readFileSync(out, 'utf8'));
    expect(data.results).toEqual([]);
    expect(data.missing).toEqual([
      { what: 'speed results', file: join(dir, 'none.json'), command: 'linearconv bench' },
      { what: 'training results', file: join(dir, 'none', 'results.json'), command: 'pnpm reproduce (in a clone of the linearconv repository)' },
    ]);
  });

  it('titles a smoke run as one, and reads a bench.json from before the control', async () => {
    writeFileSync(join(dir, 'smoke.json'), JSON.stringify({ ...reproduce, kind: 'smoke', chance: { fashion: 11.8 } }));
    const { device: _, ...older } = bench;
    const old = join(dir, 'bench-v1.json');
    writeFileSync(old, JSON.stringify({ ...older, format: 'linearconv-bench@1', results: bench.results.filter((r) => r.variant !== 'control') }));
    const out = join(dir, 'smoke.html');
    const { code, err } = await cli('report', '--bench', old, '--reproduce', join(dir, 'smoke.json'), '--out', out);
    expect(code, err).toBe(0);
    const data = embedded(readFileSync(out, 'utf8'));
    expect(data.title).toBe('linearconv: speed and a training smoke run');
    expect(data.reproduce!.results.kind).toBe('smoke');
    expect(data.results[0].value.format).toBe('linearconv-bench@1');
  });

  it('exits 2 on a file that is not what it should be, naming it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ results: [] }));
    const { code, err } = await cli('report', '--bench', bad, '--out', join(dir, 'bad.html'));
    expect(code).toBe(2);
    expect(err).toContain(`${bad}: format: must be one of "linearconv-bench@1", "linearconv-bench@2", "linearconv-bench@3", "linearconv-lab@1"`);
    const { code: code2, err: err2 } = await cli('report', '--bench', join(dir, 'bench.json'), '--reproduce', bad, '--out', join(dir, 'bad.html'));
    expect(code2).toBe(2);
    expect(err2).toContain(`${bad}: summary: must be a list`);
  });
});
