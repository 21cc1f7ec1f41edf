import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendRegistry, referenceFactory } from '@linearconv/conformance';
import { type BenchLayer, runBench } from '@linearconv/conformance/bench';
import { countMacs, layerSpec } from '@linearconv/core';
import { openBrowserPage } from '@linearconv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteDir } from '../node/site-dir.js';
import { REPORT_DATA_ID } from './data.js';

const page = join(siteDir, 'report.html');

/** Two small layers, measured for real on the reference backend. */
function layers(): BenchLayer[] {
  return [
    { inChannels: 4, outChannels: 6, kernelSize: 3, size: 6 },
    { inChannels: 6, outChannels: 4, kernelSize: 1, size: 5 },
  ].map(({ size, ...input }, i) => {
    const spec = layerSpec({ ...input, padding: 'same', useBias: false });
    return { name: `tiny/${i}`, sameShape: [`tiny/${i}`], spec, inputSize: [size, size], macs: countMacs(spec, [size, size]) };
  });
}

// The built site: `pnpm build` first (turbo's test task depends on build).
describe('report.html (the built page, one file)', () => {
  let browser: Awaited<ReturnType<typeof openBrowserPage>>;
  let bench: string;
  beforeAll(async () => {
    const report = await runBench(new BackendRegistry([referenceFactory]), {
      layers: layers(),
      batches: [1],
      backends: ['reference'],
      timing: { warmup: 1, minRuns: 1, maxRuns: 1, budgetMs: 0 },
      quick: true,
      command: 'report-page.test',
      device: { runtime: 'node (test)' },
    });
    bench = JSON.stringify(report);
    browser = await openBrowserPage({ roots: { '/': siteDir }, routes: { '/a.json': bench, '/bad.json': '{"hello": 1}' }, path: '/report.html?data=/a.json&data=/bad.json', viewport: { width: 1400, height: 900 } });
  });
  afterAll(() => browser?.close());

  it('inlines its script and styles: nothing to load from beside it', () => {
    expect(existsSync(page), `${page}: run pnpm --filter @linearconv/lab build`).toBe(true);
    const html = readFileSync(page, 'utf8');
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*\shref=/i);
    expect(html).toContain('<script type="module"');
    expect(html).not.toContain(`id="${REPORT_DATA_ID}"`);
  });

  it('renders results given by URL, names a file it cannot read, and adds files chosen to compare', async () => {
    const { page: tab } = browser;
    await tab.waitForSelector('body[data-rendered="true"]');
    const charts = () => tab.locator('figure.lc-chart svg.lc-plot').count();
    expect(await charts()).toBe(3);
    expect(await tab.locator('#problems').textContent()).toMatch(/^bad\.json: must be a linearconv lab result/);
    expect(await tab.locator('table.lc-speed tbody tr td:first-child').allTextContents()).toEqual(['reference']);
    await tab.setInputFiles('#files', { name: 'b.json', mimeType: 'application/json', buffer: Buffer.from(bench) });
    await tab.waitForFunction(() => document.querySelectorAll('table.lc-speed tbody tr').length === 2);
    expect(await tab.locator('table.lc-speed tbody tr td:first-child').allTextContents()).toEqual(['reference · a.json', 'reference · b.json']);
    expect(browser.errors).toEqual([]);
  });
});
