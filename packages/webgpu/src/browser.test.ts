import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { committedCasesDir } from '@linearconv/conformance';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The conformance cases in headless Chromium's WebGPU, from this package's built ESM (dist),
// core's and the conformance runner's, served from 127.0.0.1 with an import map.

const CHROMIUM = '/usr/bin/chromium';
const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** Tried in order until the page gets an adapter: the default, then software Vulkan (SwiftShader). */
const ADAPTER_ARGS = [[], ['--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'], ['--use-angle=swiftshader']];

const packages = fileURLToPath(new URL('../..', import.meta.url));
const roots: Record<string, string> = {
  webgpu: join(packages, 'webgpu/dist'),
  core: join(packages, 'core/dist'),
  conformance: join(packages, 'conformance/dist'),
  cases: committedCasesDir,
};

const PAGE = `<!doctype html>
<script type="importmap">
{ "imports": { "@linearconv/core": "/core/index.js", "@linearconv/conformance": "/conformance-browser.js" } }
</script>
<script type="module">
import { parseCase, runCase } from '@linearconv/conformance';
import { webgpuBackend } from '/webgpu/conformance-backend.js';
window.adapterInfo = async () => {
  const adapter = navigator.gpu && (await navigator.gpu.requestAdapter());
  if (!adapter) return null;
  const { vendor, architecture, description } = adapter.info;
  return { vendor, architecture, description };
};
window.runCases = async () => {
  const names = await (await fetch('/cases/index.json')).json();
  const backend = await webgpuBackend();
  const results = [];
  for (const name of names) {
    const kase = parseCase(name, await (await fetch('/cases/' + name)).text());
    results.push(...(await runCase(backend, kase)));
  }
  await backend.dispose();
  return results;
};
window.ready = true;
</script>`;

// The runner's browser-safe modules (the package index also loads case files with node:fs).
const CONFORMANCE_BROWSER = ['backend', 'case', 'compare', 'run'].map((m) => `export * from '/conformance/${m}.js';`).join('\n');

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.html': 'text/html' };

function serve(): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (status: number, body: string | Buffer, type = 'text/plain') => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    if (path === '/') return send(200, PAGE, TYPES['.html']);
    if (path === '/conformance-browser.js') return send(200, CONFORMANCE_BROWSER, TYPES['.js']);
    if (path === '/cases/index.json') return send(200, JSON.stringify(readdirSync(roots.cases).filter((f) => f.endsWith('.json')).sort()), TYPES['.json']);
    const [, root, ...rest] = path.split('/');
    const base = roots[root];
    // Only files under the four roots, never a path that climbs out of them.
    const file = base ? normalize(join(base, ...rest)) : undefined;
    if (!file?.startsWith(base)) return send(404, 'not found');
    try {
      send(200, readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {
      send(404, 'not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

describe('browser: headless Chromium', () => {
  let server: Server | undefined;
  let origin = '';
  let browser: BrowserContext | undefined;
  let profile = '';
  let adapter: { vendor: string; architecture: string; description: string } | null = null;
  const attempts: string[] = [];

  beforeAll(async () => {
    ({ server, origin } = await serve());
    for (const extra of ADAPTER_ARGS) {
      profile = mkdtempSync(join(tmpdir(), 'linearconv-chromium-'));
      // A fresh profile each time (Playwright passes it as --user-data-dir).
      const candidate = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: [...BASE_ARGS, ...extra] });
      const page = await candidate.newPage();
      await page.goto(origin);
      await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
      adapter = await page.evaluate(() => (globalThis as unknown as { adapterInfo(): Promise<typeof adapter> }).adapterInfo());
      attempts.push(`${extra.join(' ') || 'default flags'}: ${adapter ? `${adapter.vendor} ${adapter.architecture} ${adapter.description}` : 'no adapter'}`);
      await page.close();
      if (adapter) {
        browser = candidate;
        break;
      }
      await candidate.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await new Promise((resolve) => server?.close(resolve));
  });

  it('runs every conformance case on the page’s WebGPU within the gpu tolerance', async (context) => {
    if (!browser) context.skip(`headless Chromium offered no WebGPU adapter (${attempts.join('; ')})`);
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin);
    await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
    const results = await page.evaluate(() =>
      (globalThis as unknown as { runCases(): Promise<{ case: string; check: string; status: string; reason?: string }[]> }).runCases(),
    );
    await page.close();
    console.info(`chromium WebGPU: ${attempts.at(-1)}; ${results.length} checks`);
    expect(errors).toEqual([]);
    const failed = results.filter((r) => r.status !== 'pass').map((r) => `${r.case} ${r.check}: ${r.status} ${r.reason ?? ''}`);
    expect(failed, `adapter: ${JSON.stringify(adapter)}`).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(140);
  }, 240_000);
});
