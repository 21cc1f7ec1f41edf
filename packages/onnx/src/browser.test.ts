import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { type BrowserPage, openBrowserPage } from '@linearconv/test-support';
import { zooModel } from '@linearconv/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from './export-model.js';
import { type FloatTensor, loadOnnxRuntime, runModel } from './onnx-runtime.js';
import { setSeededWeights } from './test-support/seeded-weights.js';
import { expectSameOutputs, seededInput } from './test-support/tfjs-outputs.js';

type PageResult = { shape: number[]; data: number[] } | { error: string };

/** onnxruntime-web's dist folder: ort.webgpu.min.js and the .mjs/.wasm files it loads. */
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const PAGE = '<!doctype html><html><head><script src="/ort/ort.webgpu.min.js"></script></head><body></body></html>';

/** A page that loads onnxruntime-web, with the models served under /models/<name>.onnx. */
function openOrtPage(models: Readonly<Record<string, Uint8Array>>): Promise<BrowserPage> {
  const routes = Object.fromEntries(Object.entries(models).map(([name, bytes]) => [`/models/${name}.onnx`, bytes]));
  return openBrowserPage({ routes: { '/': PAGE, ...routes }, roots: { '/ort/': ortDist }, webgpu: true });
}

/**
 * Runs /models/<name>.onnx in the page with onnxruntime-web on execution provider `ep`, with
 * ORT's verbose log on so the console says which provider every node was placed on.
 */
async function runInPage(browser: BrowserPage, name: string, ep: 'wasm' | 'webgpu', input: FloatTensor): Promise<{ output: FloatTensor; placedOn: string[] }> {
  browser.clearConsole();
  const result = await browser.page.evaluate(
    async ({ name, ep, shape, data }): Promise<PageResult> => {
      const ort = (globalThis as unknown as { ort: typeof import('onnxruntime-web') }).ort;
      // The .mjs/.wasm pair is fetched from here (ort.webgpu.min.js picks its asyncify build).
      ort.env.wasm.wasmPaths = '/ort/';
      // Not cross-origin isolated, so no SharedArrayBuffer: one thread.
      ort.env.wasm.numThreads = 1;
      try {
        const session = await ort.InferenceSession.create(`/models/${name}.onnx`, { executionProviders: [ep], logSeverityLevel: 0, logVerbosityLevel: 0 });
        const outputs = await session.run({ input: new ort.Tensor('float32', Float32Array.from(data), shape) });
        const output = outputs[session.outputNames[0]];
        const values = { shape: output.dims.map(Number), data: Array.from(output.data as Float32Array) };
        await session.release();
        return values;
      } catch (e) {
        return { error: String(e) };
      }
    },
    { name, ep, shape: [...input.shape], data: Array.from(input.data) },
  );
  if ('error' in result) throw new Error(`${ep} in Chromium: ${result.error}`);
  const placedOn = [...new Set(browser.console.flatMap((line) => [...line.matchAll(/placed on \[(\w+)\]/g)].map((m) => m[1])))];
  return { output: { shape: result.shape, data: Float32Array.from(result.data) }, placedOn };
}

// An exported model (Base-Lr, seeded) in headless Chromium, on a page served from 127.0.0.1,
// must give the outputs onnxruntime-web gives in Node.
describe('in headless Chromium', () => {
  const models: Record<string, Uint8Array> = {};
  const inNode: Record<string, FloatTensor> = {};
  let input: FloatTensor;
  let browser: BrowserPage;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const model = zooModel('base', { variant: 'full' });
    setSeededWeights(model, 5);
    input = seededInput(model, 1, 6);
    models.compact = exportModel(model, { mode: 'compact' });
    models.folded = exportModel(model, { mode: 'folded' });
    model.dispose();
    const ort = await loadOnnxRuntime('web');
    for (const mode of ['compact', 'folded']) inNode[mode] = (await runModel(ort, models[mode], { input })).output;
    browser = await openOrtPage(models);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  for (const mode of ['compact', 'folded']) {
    it(`${mode}: the wasm execution provider gives Node's outputs`, async () => {
      const { output, placedOn } = await runInPage(browser, mode, 'wasm', input);
      expect(placedOn).toEqual(['CPUExecutionProvider']);
      expectSameOutputs([output], [inNode[mode]], `${mode} wasm in Chromium`);
      // onnxruntime-web fetched its wasm from the page's server, under wasmPaths.
      expect(browser.requested.filter((p) => p.endsWith('.wasm')).every((p) => p.startsWith('/ort/'))).toBe(true);
      expect(browser.requested.some((p) => p.endsWith('.wasm'))).toBe(true);
    });

    it(`${mode}: the WebGPU execution provider gives Node's outputs, where the browser has an adapter`, async (context) => {
      const adapter = browser.adapter;
      if (!adapter) context.skip(`no WebGPU adapter in this headless Chromium (${browser.attempts.join('; ')})`);
      const { output, placedOn } = await runInPage(browser, mode, 'webgpu', input);
      expect(placedOn).toContain('WebGpuExecutionProvider');
      expectSameOutputs([output], [inNode[mode]], `${mode} WebGPU (${JSON.stringify(adapter)}) in Chromium`);
    }, 60_000);
  }
});
