import { fileURLToPath } from 'node:url';
import { type BrowserPage, openBrowserPage } from '@linearconv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The conformance cases in headless Chromium's WebGPU, from this package's built ESM (dist) and
// core's and conformance's, served from 127.0.0.1 with an import map. The cases come from
// conformance's browser-safe main entry (committedCases: JSON imports), as a page would load them.

const packages = fileURLToPath(new URL('../..', import.meta.url));

const PAGE = `<!doctype html>
<script type="importmap">
{ "imports": { "@linearconv/core": "/core/dist/index.js", "@linearconv/conformance": "/conformance/dist/index.js" } }
</script>
<script type="module">
import { committedCases, runCase } from '@linearconv/conformance';
import { webgpuBackend } from '/webgpu/dist/conformance-backend.js';
window.runCases = async () => {
  const backend = await webgpuBackend();
  const results = [];
  for (const kase of committedCases()) results.push(...(await runCase(backend, kase)));
  await backend.dispose();
  return results;
};
window.ready = true;
</script>`;

describe('browser: headless Chromium', () => {
  let browser: BrowserPage | undefined;

  beforeAll(async () => {
    // Each package's folder as it is laid out on disk, so dist/ finds ../cases/ as in node_modules.
    const roots = Object.fromEntries(['webgpu', 'core', 'conformance'].map((name) => [`/${name}/`, `${packages}${name}`]));
    browser = await openBrowserPage({ routes: { '/': PAGE }, roots, webgpu: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('runs every conformance case on the page’s WebGPU within the gpu tolerance', async (context) => {
    if (!browser?.adapter) context.skip(`headless Chromium offered no WebGPU adapter (${browser?.attempts.join('; ')})`);
    const { page, adapter, attempts, errors } = browser!;
    await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
    const results = await page.evaluate(() =>
      (globalThis as unknown as { runCases(): Promise<{ case: string; check: string; status: string; reason?: string }[]> }).runCases(),
    );
    console.info(`chromium WebGPU: ${attempts.at(-1)}; ${results.length} checks`);
    expect(errors).toEqual([]);
    const failed = results.filter((r) => r.status !== 'pass').map((r) => `${r.case} ${r.check}: ${r.status} ${r.reason ?? ''}`);
    expect(failed, `adapter: ${JSON.stringify(adapter)}`).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(150);
  }, 240_000);
});
