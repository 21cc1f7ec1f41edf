import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHook } from '../lab/hook.js';
import type { LabResult } from '../lab/result.js';
import { type ChromiumPage, openChromiumPage } from './chromium.js';
import { type SiteServer, serveSite } from './serve-site.js';
import { siteDir } from './site-dir.js';

// The built site (pnpm --filter @linearconv/lab build; turbo's test task builds first), in one
// headless Chromium for the whole file. A short run: every backend, three committed cases that
// between them have every check (filters, output, backward, correlation; groups, low rank,
// stride, dilation) and one layer of the quick suite, with the quick preset's timing.
const RUN = { quick: true, cases: ['hand-2x2-ones', 'groups2-lowrank', 'stride2-dilation2'], layers: ['mobilenetv2/layers.1.conv2'] };

/** Every browser backend the lab must list (the agreed names of issue 11), available or with a reason. */
const AGREED = ['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu', 'onnx-web-wasm-compact', 'onnx-web-wasm-folded', 'onnx-web-webgpu-compact', 'onnx-web-webgpu-folded', 'webgpu'];

let server: SiteServer;
let browser: ChromiumPage;
const responses: { url: string; path: string; status: number }[] = [];
let result: LabResult;

beforeAll(async () => {
  if (!existsSync(join(siteDir, 'index.html'))) throw new Error(`${siteDir}index.html is missing: pnpm --filter @linearconv/lab build first`);
  server = await serveSite();
  browser = await openChromiumPage(server.url, {
    webgpu: true,
    viewport: { width: 1280, height: 900 },
    beforeOpen: async (context) => {
      context.on('response', (r) => responses.push({ url: r.url(), path: new URL(r.url()).pathname, status: r.status() }));
    },
  });
  result = await browser.page.evaluate((o) => (window as unknown as { linearconvLab: LabHook }).linearconvLab.run(o), RUN);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the lab page, from its built files', () => {
  it('loads every script and .wasm file from the local server, none missing, with no page error', () => {
    // Everything came from this server (no network), or from the page itself (blob: workers, data: URLs).
    expect(responses.filter((r) => !r.url.startsWith(server.url) && !/^(blob|data):/.test(r.url))).toEqual([]);
    expect(responses.filter((r) => r.status >= 400)).toEqual([]);
    const local = responses.filter((r) => r.url.startsWith(server.url) && r.path !== '/');
    // Each path it fetched is a file of the built site.
    for (const { path } of local) expect(existsSync(join(siteDir, decodeURIComponent(path))), path).toBe(true);
    expect(local.some((r) => r.path.endsWith('.js'))).toBe(true);
    expect(local.filter((r) => r.path.endsWith('.wasm')).length).toBeGreaterThanOrEqual(2);
    expect(browser.errors).toEqual([]);
  });

  it('lists every agreed backend, available or with its reason, with what it runs on', () => {
    const names = result.backends.map((b) => b.name);
    for (const name of AGREED) expect(names).toContain(name);
    for (const b of result.backends) {
      if (b.available) expect(b.adapter, b.name).toMatch(/\S/);
      else expect(b.reason, b.name).toMatch(/\S/);
    }
    expect(result.device.runtime).toBe(result.bench.device.runtime);
    expect(result.device.runtime).toMatch(/Chrome\/\d+/);
  });

  it('runs the cases on every backend with no failure, and the speed case on every available one', () => {
    const { conformance, bench } = result;
    expect(conformance.failed).toBe(0);
    const failures = conformance.results.filter((r) => r.status === 'fail').map((r) => `${r.backend} ${r.case} ${r.check}: ${r.reason}`);
    expect(failures).toEqual([]);
    for (const b of result.backends.filter((x) => x.available)) {
      const ran = conformance.results.filter((r) => r.backend === b.name && r.status === 'pass');
      expect(new Set(ran.map((r) => r.case)), b.name).toEqual(new Set(RUN.cases));
      expect(bench.results.filter((r) => r.backend === b.name).map((r) => r.variant).sort(), b.name).toEqual(['control', 'conv', 'linearconv']);
    }
    expect(conformance.passed + conformance.failed + conformance.skipped).toBe(conformance.results.length);
    expect(bench.format).toBe('linearconv-bench@3');
    expect(bench.omitted.filter((o) => o.reason.startsWith('failed'))).toEqual([]);
  });

  it('recommends a backend per framework, from the results, on the page', async () => {
    const items = await browser.page.locator('#recommendations li').allTextContents();
    expect(items).toHaveLength(3);
    expect(items[0]).toMatch(/^tfjs: use (cpu|wasm|webgl|webgpu) here, LinearConv costs ×\d+\.\d\d of a plain conv/);
    expect(items[1]).toMatch(/^ONNX: use (wasm|webgpu|webgpu-native) EP \((compact|folded) model\) here/);
    expect(items[2]).toMatch(/^raw WebGPU: /);
  });

  it('downloads the result as JSON, and compares a loaded result file in the same tables', async () => {
    const [download] = await Promise.all([browser.page.waitForEvent('download'), browser.page.click('#download')]);
    const downloaded = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(downloaded).toEqual(JSON.parse(JSON.stringify(result)));

    const rowsBefore = await browser.page.locator('#results table').first().locator('tbody tr').count();
    await browser.page.evaluate((text) => (window as unknown as { linearconvLab: LabHook }).linearconvLab.compare('other-device.json', text), JSON.stringify(downloaded));
    const rows = await browser.page.locator('#results table').first().locator('tbody tr').allTextContents();
    expect(rows.length).toBe(rowsBefore + 1);
    expect(rows.some((r) => r.includes('other-device.json'))).toBe(true);
    const malformed = await browser.page.evaluate(() => {
      try {
        (window as unknown as { linearconvLab: LabHook }).linearconvLab.compare('bad.json', '{"format": "nope"}');
        return null;
      } catch (e) {
        return { name: (e as Error).name, message: (e as Error).message };
      }
    });
    expect(malformed).toMatchObject({ name: 'LinearConvError', message: expect.stringMatching(/^bad\.json/) });
  });

  it('refuses an unknown case before running anything', async () => {
    const error = await browser.page.evaluate(() =>
      (window as unknown as { linearconvLab: LabHook }).linearconvLab.run({ cases: ['no-such-case'] }).then(
        () => null,
        (e: Error & { field?: string }) => ({ name: e.name, field: e.field }),
      ),
    );
    expect(error).toEqual({ name: 'LinearConvError', field: 'cases' });
  });

  it('draws a non-blank lab view (a screenshot with varied pixels)', async () => {
    const png = await browser.page.screenshot({ fullPage: true });
    // Decoded by the browser's own PNG decoder: the luminance spread and the number of colours.
    const stats = await browser.page.evaluate(async (base64) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      let sum = 0;
      let squares = 0;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        const y = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
        sum += y;
        squares += y * y;
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
      const n = data.length / 4;
      return { width: bitmap.width, height: bitmap.height, spread: Math.sqrt(squares / n - (sum / n) ** 2), colours: colours.size };
    }, png.toString('base64'));
    expect(stats.width).toBe(1280);
    expect(stats.height).toBeGreaterThan(900);
    expect(stats.spread).toBeGreaterThan(10);
    expect(stats.colours).toBeGreaterThan(50);
  });
});
