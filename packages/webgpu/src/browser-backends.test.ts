import { fileURLToPath } from 'node:url';
import type { CheckResult } from '@linearconv/conformance';
import { type BrowserPage, openBrowserPage } from '@linearconv/test-support';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// webgpuBrowserBackends in headless Chromium: the page is this package's `./conformance` entry as a
// bundler sees it (esbuild, platform browser: not the `node` build, so no Dawn, from dist/) and
// runs the committed conformance cases on navigator.gpu, SwiftShader here.

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * `wide-64x64-16x16` alone takes 15 s of SwiftShader on a loaded 2-core machine (every other case
 * together, 10 s), and browser.test.ts already runs it on this backend: left out here.
 */
const LEFT_OUT = ['wide-64x64-16x16'];

const PAGE_SCRIPT = `
import { committedCases, runCase } from '@linearconv/conformance';
import { webgpuBrowserBackends } from '@linearconv/webgpu/conformance';
const factories = webgpuBrowserBackends();
window.backendNames = factories.map((f) => f.name);
window.caseNames = committedCases().map((k) => k.name);
window.runBackend = async (name, leftOut) => {
  let backend;
  try {
    backend = await factories.find((f) => f.name === name).create();
  } catch (e) {
    return { error: String(e) };
  }
  const results = [];
  try {
    for (const kase of committedCases()) if (!leftOut.includes(kase.name)) results.push(...(await runCase(backend, kase)));
  } finally {
    await backend.dispose();
  }
  return { adapter: backend.adapter, results };
};
`;

type Run = { adapter?: string; results: CheckResult[] } | { error: string };

describe('webgpuBrowserBackends in headless Chromium', () => {
  let browser: BrowserPage;
  let caseNames: string[];

  beforeAll(async () => {
    const bundle = await esbuild.build({
      stdin: { contents: PAGE_SCRIPT, resolveDir: packageRoot, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    // The browser build: neither Dawn nor this package's Node entry is in the page.
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.filter((path) => /(^|\/)(dawn|conformance-node)\.js$|node_modules\/webgpu\//.test(path))).toEqual([]);
    const routes = {
      '/': '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>',
      '/page.js': bundle.outputFiles[0].contents,
    };
    browser = await openBrowserPage({ routes, webgpu: true });
    await browser.page.waitForFunction(() => 'runBackend' in globalThis);
    caseNames = await browser.page.evaluate(() => (globalThis as unknown as { caseNames: string[] }).caseNames);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('offers `webgpu`', async () => {
    expect(await browser.page.evaluate(() => (globalThis as unknown as { backendNames: string[] }).backendNames)).toEqual(['webgpu']);
    expect(caseNames).toEqual(expect.arrayContaining(LEFT_OUT));
    expect(caseNames.length).toBeGreaterThanOrEqual(40);
  });

  it('webgpu passes every committed case but the one left out, and says what it runs on', async (context) => {
    if (!browser.adapter) context.skip(`headless Chromium offered no WebGPU adapter (${browser.attempts.join('; ')})`);
    const result = await browser.page.evaluate(
      (leftOut) => (globalThis as unknown as { runBackend(n: string, leftOut: string[]): Promise<Run> }).runBackend('webgpu', leftOut),
      LEFT_OUT,
    );
    if ('error' in result) throw new Error(`webgpu did not start in Chromium: ${result.error}`);
    const { adapter, results } = result;
    const failed = results.filter((r) => r.status === 'fail').map((r) => `${r.case} ${r.check}: ${r.reason}`);
    const skipped = results.filter((r) => r.status === 'skip').map((r) => `${r.case} ${r.check}: ${r.reason}`);
    console.info(`webgpu in Chromium on "${adapter}": ${results.length - failed.length - skipped.length} passed, ${failed.length} failed, ${skipped.length} skipped`);
    expect(failed, `on ${adapter}`).toEqual([]);
    // Our kernels have every capability: nothing is skipped.
    expect(skipped).toEqual([]);
    expect(new Set(results.map((r) => r.case)).size).toBe(caseNames.length - LEFT_OUT.length);
    expect(results.filter((r) => r.check === 'backward' && r.status === 'pass').length).toBeGreaterThan(0);
    // The adapter the page's WebGPU reports, as the backend's device saw it.
    expect(adapter).toMatch(/^WebGPU: \S/);
    expect(adapter).toContain(browser.adapter!.vendor);
    expect(browser.errors).toEqual([]);
  });
});
