import { fileURLToPath } from 'node:url';
import { type BrowserPage, type ConformancePage, openConformancePage } from '@linearconv/test-support';
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

describe('webgpuBrowserBackends in headless Chromium', () => {
  let page: ConformancePage;
  let browser: BrowserPage;
  let caseNames: string[];

  beforeAll(async () => {
    page = await openConformancePage({ resolveDir: packageRoot, factories: "import { webgpuBrowserBackends } from '@linearconv/webgpu/conformance'; const factories = webgpuBrowserBackends();" });
    // The browser build: neither Dawn nor this package's Node entry is in the page.
    expect(page.inputs.filter((path) => /(^|\/)(dawn|conformance-node)\.js$|node_modules\/webgpu\//.test(path))).toEqual([]);
    browser = page.browser;
    caseNames = page.caseNames;
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('offers `webgpu`', async () => {
    expect(page.backendNames).toEqual(['webgpu']);
    expect(caseNames).toEqual(expect.arrayContaining(LEFT_OUT));
    expect(caseNames.length).toBeGreaterThanOrEqual(40);
  });

  it('webgpu passes every committed case but the one left out, and says what it runs on', async (context) => {
    if (!browser.adapter) context.skip(`headless Chromium offered no WebGPU adapter (${browser.attempts.join('; ')})`);
    // Fails on any failed check.
    const { adapter, results, skipped } = await page.runPassing(
      'webgpu',
      caseNames.filter((name) => !LEFT_OUT.includes(name)),
    );
    // Our kernels have every capability: nothing is skipped.
    expect(skipped.map((r) => `${r.case} ${r.check}: ${r.reason}`)).toEqual([]);
    expect(new Set(results.map((r) => r.case)).size).toBe(caseNames.length - LEFT_OUT.length);
    expect(results.filter((r) => r.check === 'backward' && r.status === 'pass').length).toBeGreaterThan(0);
    // The adapter the page's WebGPU reports, as the backend's device saw it.
    expect(adapter).toMatch(/^WebGPU: \S/);
    expect(adapter).toContain(browser.adapter!.vendor);
    expect(browser.errors).toEqual([]);
  });
});
