import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convParams, layerSpec, linearConvParams } from '@linearconv/core';
import { inspectModel, loadOnnxRuntime, runModel } from '@linearconv/onnx';
import { type BrowserPage, openBrowserPage } from '@linearconv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainRunResult } from './view.js';

const site = fileURLToPath(new URL('../../dist/site/', import.meta.url));
const screenshot = fileURLToPath(new URL('../../reports/train.png', import.meta.url));
const STEPS = 20;
/** The fastest backend in headless Chromium here: wasm trains these models ~40× faster than cpu or webgl on SwiftShader. */
const BACKEND = 'wasm';

/** What crosses page.evaluate: typed arrays as plain arrays. */
type PageResult = Omit<TrainRunResult, 'onnxBytes' | 'check' | 'correlations'> & {
  onnxBytes: number[];
  check: { shape: number[]; input: number[]; output: number[] };
  correlations: { layer: string; primaries: number; matrix: number[] }[];
};

/** Trainable parameters of the views' models, counted by core's accounting: two 3×3 convs (8, 16), dense 7·7·16 → 10. */
function expectedParams(): { conv: { total: number; conv: number }; linearconv: { total: number; conv: number } } {
  const specs = [layerSpec({ inChannels: 1, outChannels: 8, kernelSize: 3 }), layerSpec({ inChannels: 8, outChannels: 16, kernelSize: 3 })];
  const dense = 7 * 7 * 16 * 10 + 10;
  const conv = specs.reduce((n, s) => n + convParams(s), 0);
  const linear = specs.reduce((n, s) => n + linearConvParams(s), 0);
  return { conv: { total: conv + dense, conv }, linearconv: { total: linear + dense, conv: linear } };
}

describe('the training view (train.html of the built site)', () => {
  let browser: BrowserPage;
  let result: PageResult;

  beforeAll(async () => {
    if (!existsSync(`${site}train.html`)) throw new Error(`${site}train.html is missing: pnpm --filter @linearconv/lab build`);
    browser = await openBrowserPage({ roots: { '/': site }, path: '/train.html', viewport: { width: 1280, height: 1000 } });
    await browser.page.evaluate(() => window.linearconvTrain.ready);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads from its own files, digits included, and lists the tfjs backends with a reason for each missing one', async () => {
    const offers = await browser.page.evaluate(() => window.linearconvTrain.backends());
    expect(offers.map((o) => o.name).sort()).toEqual(['cpu', 'wasm', 'webgl', 'webgpu']);
    for (const o of offers) expect(o.available || (o.reason ?? '').length > 0, o.name).toBe(true);
    expect(offers.find((o) => o.name === BACKEND)?.available).toBe(true);
    expect(browser.requested.some((p) => /^\/assets\/digits\.bin-[\w-]+\.gz$/.test(p))).toBe(true);
    // (Chromium asks for /favicon.ico of its own accord.)
    for (const path of browser.requested.filter((p) => p !== '/favicon.ico')) expect(existsSync(`${site}${path.slice(1)}`), path).toBe(true);
    expect(await browser.page.locator('#train-status').textContent()).toContain('5000 digits loaded');
  });

  it(`trains both models above chance on held-out digits in ${STEPS} steps on ${BACKEND}, releasing every tensor`, async () => {
    result = await browser.page.evaluate(
      async ([steps, backend]) => {
        const r = await window.linearconvTrain.run({ steps, backend });
        return {
          ...r,
          onnxBytes: Array.from(r.onnxBytes),
          check: { shape: r.check.shape, input: Array.from(r.check.input), output: Array.from(r.check.output) },
          correlations: r.correlations.map((c) => ({ ...c, matrix: Array.from(c.matrix) })),
        };
      },
      [STEPS, BACKEND] as const,
    );
    expect(result.backend).toBe(BACKEND);
    for (const kind of ['conv', 'linearconv'] as const) expect(result[kind].accuracy, kind).toBeGreaterThan(0.3);
    const expected = expectedParams();
    expect([result.conv.params, result.conv.convParams]).toEqual([expected.conv.total, expected.conv.conv]);
    expect([result.linearconv.params, result.linearconv.convParams]).toEqual([expected.linearconv.total, expected.linearconv.conv]);
    // Flat once the optimisers hold their state; back where it started once the run is over.
    expect(new Set(result.tensors.during.slice(1)).size).toBe(1);
    expect(result.tensors.after).toBe(result.tensors.before);
    expect(browser.errors).toEqual([]);
  });

  it('shows the curves, the parameter counts and a correlation heatmap per LinearConv layer', async () => {
    const { page } = browser;
    expect(await page.locator('[data-chart="loss"] svg').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-chart="accuracy"] svg').count()).toBeGreaterThan(0);
    expect(await page.locator('#train-summary td').allTextContents()).toContain(String(result.linearconv.params));
    expect(result.correlations.map((c) => c.primaries)).toEqual([4, 8]);
    for (const c of result.correlations) {
      // A correlation matrix: unit diagonal, symmetric, within [−1, 1].
      const p = c.primaries;
      for (let i = 0; i < p; i++) {
        expect(c.matrix[i * p + i]).toBeCloseTo(1, 6);
        for (let j = 0; j < p; j++) expect(c.matrix[i * p + j]).toBeCloseTo(c.matrix[j * p + i], 12);
      }
      expect(Math.max(...c.matrix.map(Math.abs))).toBeLessThanOrEqual(1);
      expect(await page.locator(`[data-chart="correlation-${c.layer}"] svg`).count()).toBeGreaterThan(0);
    }
  });

  it('downloads the trained LinearConv model as a compact ONNX file that ONNX Runtime runs to the page’s outputs', async () => {
    const { page } = browser;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
    expect(download.suggestedFilename()).toBe('linearconv-digits.onnx');
    const bytes = new Uint8Array(readFileSync(await download.path()));
    expect(Array.from(bytes)).toEqual(result.onnxBytes);
    const info = inspectModel(bytes);
    // Compact: the filters are built in the graph from the primaries and coefficients, which is all it stores.
    expect(info.operators).toMatchObject({ MatMul: 2, Concat: 2, Conv: 2 });
    expect(info.params).toBe(result.linearconv.params);
    const ort = await loadOnnxRuntime('web');
    const { output } = await runModel(ort, bytes, { input: { shape: result.check.shape, data: Float32Array.from(result.check.input) } });
    expect(output.shape).toEqual([result.check.shape[0], 10]);
    const worst = Math.max(...Array.from(output.data, (v, i) => Math.abs(v - result.check.output[i])));
    expect(worst).toBeLessThan(1e-4);
  });

  it('renders a non-blank view (reports/train.png; screenshots/ holds the committed one)', async () => {
    const png = await browser.page.screenshot({ fullPage: true });
    mkdirSync(dirname(screenshot), { recursive: true });
    writeFileSync(screenshot, png);
    // Grey-level variance of the screenshot, decoded by the browser: a blank page has none.
    const variance = await browser.page.evaluate(async (base64) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      let [sum, squares] = [0, 0];
      for (let i = 0; i < data.length; i += 4) {
        const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
        sum += grey;
        squares += grey * grey;
      }
      const n = data.length / 4;
      return squares / n - (sum / n) ** 2;
    }, png.toString('base64'));
    expect(variance).toBeGreaterThan(100);
  });

  it('refuses an unknown backend or a bad step count, naming the field, and stays usable', async () => {
    const refusal = (options: object) =>
      browser.page.evaluate((o) => window.linearconvTrain.run(o as never).then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`), options);
    expect(await refusal({ backend: 'tpu' })).toMatch(/^LinearConvError: backend: must be one of webgl, wasm, cpu, webgpu, got "?tpu"?/);
    expect(await refusal({ steps: 0, backend: BACKEND })).toMatch(/^LinearConvError: steps: /);
    expect(await browser.page.locator('#train-run').isDisabled()).toBe(false);
  });
});
