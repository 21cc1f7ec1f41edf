import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserPage, type ConformancePage, openConformancePage } from '@linearconv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// tfjsBrowserBackends in headless Chromium: the page is this package's `./conformance` entry as a
// bundler sees it (esbuild, platform browser: the `browser` condition, from dist/) and runs the
// committed conformance cases on each backend. WebGPU and WebGL run on SwiftShader here.

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
/** tfjs-backend-wasm's dist/: the .wasm files the page points `wasmPaths` at. */
const tfjsWasmDist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));

/**
 * On SwiftShader tfjs compiles a shader per op and shape, a few seconds a case on a loaded
 * 2-core machine (every case: 2 min on WebGL, 45 s on WebGPU). The GPU backends run two cases
 * that cover groups, low-rank coefficients, batch 2, stride and dilation, with backward and
 * correlation; cpu and wasm run every case.
 */
const GPU_SUBSET = ['batch2-lowrank-groups-stride2', 'stride2-dilation2'];
const CASES: Record<string, readonly string[] | undefined> = { 'tfjs-webgl': GPU_SUBSET, 'tfjs-webgpu': GPU_SUBSET };

describe('tfjsBrowserBackends in headless Chromium', () => {
  let page: ConformancePage;
  let browser: BrowserPage;
  let caseNames: string[];

  beforeAll(async () => {
    page = await openConformancePage({ resolveDir: packageRoot, factories: "import { tfjsBrowserBackends } from '@linearconv/tfjs/conformance'; const factories = tfjsBrowserBackends({ wasmPaths: '/tfjs-wasm/' });", roots: { '/tfjs-wasm/': tfjsWasmDist } });
    browser = page.browser;
    caseNames = page.caseNames;
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('runs the committed cases, of which the GPU subset is part', async () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(40);
    expect(caseNames).toEqual(expect.arrayContaining(GPU_SUBSET));
  });

  it('offers the four tfjs backends', async () => {
    expect(page.backendNames).toEqual([
      'tfjs-cpu',
      'tfjs-wasm',
      'tfjs-webgl',
      'tfjs-webgpu',
    ]);
  });

  for (const name of ['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu']) {
    it(`${name} passes every committed case, and says what it runs on`, async () => {
      // Fails on any failed check.
      const { adapter, results, skipped } = await page.runPassing(name, CASES[name]);
      expect(new Set(results.map((r) => r.case)).size).toBe((CASES[name] ?? caseNames).length);
      // Every check runs: tfjs has backward and correlation on every backend.
      expect(skipped.map((r) => `${r.case} ${r.check}: ${r.reason}`)).toEqual([]);
      expect(results.filter((r) => r.check === 'backward' && r.status === 'pass').length).toBeGreaterThan(0);
      expect(adapter).toMatch(/\S/);
      if (name === 'tfjs-wasm') {
        expect(adapter).toMatch(/^wasm (SIMD|without SIMD), \d+ threads?$/);
        // The .wasm came from where wasmPaths pointed.
        expect(browser.requested.filter((p) => p.endsWith('.wasm'))).toEqual(expect.arrayContaining([expect.stringMatching(/^\/tfjs-wasm\/tfjs-backend-wasm/)]));
      }
      if (name === 'tfjs-webgl') expect(adapter).toMatch(/^WebGL \d: /);
      if (name === 'tfjs-webgpu') expect(adapter).toMatch(/^WebGPU: /);
      expect(browser.errors).toEqual([]);
    });
  }
});
