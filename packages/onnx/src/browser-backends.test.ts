import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserPage, type ConformancePage, openConformancePage } from '@linearconv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// onnxBrowserBackends in headless Chromium: the page is this package's `./conformance` entry as a
// bundler sees it (esbuild, platform browser: the `browser` condition, from dist/, without
// onnxruntime-node) and runs the committed conformance cases on each backend. WebGPU runs on
// SwiftShader here.

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
/** onnxruntime-web's dist/: the .wasm/.mjs files the page points `wasmPaths` at. */
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));

/**
 * On SwiftShader onnxruntime-web's WebGPU EPs compile shaders per op and shape: every case takes
 * 70 s (JSEP, compact) and 110 s (native) on a loaded 2-core machine. The WebGPU backends run two
 * cases that cover groups, low-rank coefficients, batch 2, stride and dilation; the wasm backends
 * run every case.
 */
const GPU_SUBSET = ['batch2-lowrank-groups-stride2', 'dilation-rect-2x1'];
const NAMES = [
  'onnx-web-wasm-compact',
  'onnx-web-wasm-folded',
  'onnx-web-webgpu-compact',
  'onnx-web-webgpu-folded',
  'onnx-web-webgpu-native-compact',
  'onnx-web-webgpu-native-folded',
];
const CASES: Record<string, readonly string[] | undefined> = Object.fromEntries(NAMES.filter((n) => n.includes('webgpu')).map((n) => [n, GPU_SUBSET]));

describe('onnxBrowserBackends in headless Chromium', () => {
  let page: ConformancePage;
  let browser: BrowserPage;
  let caseNames: string[];

  beforeAll(async () => {
    page = await openConformancePage({ resolveDir: packageRoot, factories: "import { onnxBrowserBackends } from '@linearconv/onnx/conformance'; const factories = onnxBrowserBackends({ wasmPaths: '/ort/' });", roots: { '/ort/': ortDist } });
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

  it('offers the wasm, WebGPU (JSEP) and native WebGPU backends, compact and folded', async () => {
    expect(page.backendNames).toEqual(NAMES);
  });

  for (const name of NAMES) {
    it(`${name} passes every committed case, and says what it runs on`, async () => {
      // Fails on any failed check.
      const { adapter, results, skipped } = await page.runPassing(name, CASES[name]);
      expect(new Set(results.map((r) => r.case)).size).toBe((CASES[name] ?? caseNames).length);
      // An export is inference-only: backward and correlation are skipped, each with its reason; nothing else is.
      const undeclared = skipped.filter((r) => !(r.check === 'backward' || r.check === 'correlation') || !/^(backward|correlation): \S/.test(r.reason ?? ''));
      expect(undeclared.map((r) => `${r.case} ${r.check}: ${r.reason}`)).toEqual([]);
      expect(results.filter((r) => r.check === 'output' && r.status === 'pass').length).toBe((CASES[name] ?? caseNames).length);
      expect(adapter).toMatch(/^onnxruntime-web \d+\.\d+\.\d+ /);
      if (name.startsWith('onnx-web-wasm')) expect(adapter).toMatch(/wasm EP: SIMD, \d+ threads?$/);
      else expect(adapter).toMatch(/WebGPU EP .* on WebGPU: \S/);
      // onnxruntime-web fetched its .wasm from where wasmPaths pointed: the JSEP build, and the /webgpu build's.
      const wasm = browser.requested.filter((p) => p.endsWith('.wasm'));
      expect(wasm.every((p) => p.startsWith('/ort/')), wasm.join(', ')).toBe(true);
      expect(wasm).toContain(name.includes('native') ? '/ort/ort-wasm-simd-threaded.asyncify.wasm' : '/ort/ort-wasm-simd-threaded.jsep.wasm');
      expect(browser.errors).toEqual([]);
    });
  }
});
