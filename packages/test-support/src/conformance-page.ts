import * as esbuild from 'esbuild';
import { type BrowserPage, openBrowserPage } from './browser-page.js';

export interface ConformancePageOptions {
  /** Where the page's imports resolve from: the package under test (its `./conformance` entry, as a bundler sees it). */
  readonly resolveDir: string;
  /** JavaScript that imports the adapter and defines `factories`, e.g. `import { x } from '…'; const factories = x();`. */
  readonly factories: string;
  /** Folders served under URL prefixes (the .wasm files the factories' `wasmPaths` point at). */
  readonly roots?: Readonly<Record<string, string>>;
}

/** One check's result as `runCase` gives it (declared here: conformance's own tests use this package). */
export interface PageCheckResult {
  readonly case: string;
  readonly backend: string;
  readonly check: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly maxAbsError: number | null;
  readonly reason?: string;
}

export type BackendRun = { adapter?: string; results: PageCheckResult[] } | { error: string };

export interface ConformancePage {
  readonly browser: BrowserPage;
  readonly backendNames: string[];
  readonly caseNames: string[];
  /** Every file esbuild put in the page, to check what a browser bundle leaves out. */
  readonly inputs: string[];
  /** The committed cases (or only those named) on one backend, in the page. */
  run(name: string, only?: readonly string[]): Promise<BackendRun>;
  /**
   * `run`, then: throws if the backend did not start or any check failed (naming them), logs the
   * counts, and returns what ran and the skipped checks for the test's own assertions.
   */
  runPassing(name: string, only?: readonly string[]): Promise<{ adapter?: string; results: PageCheckResult[]; skipped: PageCheckResult[] }>;
  close(): Promise<void>;
}

/**
 * A headless-Chromium page that bundles an adapter's backend factories for the browser (esbuild,
 * platform browser) with the committed conformance cases, one browser start for a test file.
 */
export async function openConformancePage(options: ConformancePageOptions): Promise<ConformancePage> {
  const script = `
import { committedCases, runCase } from '@linearconv/conformance';
${options.factories}
window.backendNames = factories.map((f) => f.name);
window.caseNames = committedCases().map((k) => k.name);
window.runBackend = async (name, only) => {
  let backend;
  try {
    backend = await factories.find((f) => f.name === name).create();
  } catch (e) {
    return { error: String(e) };
  }
  const results = [];
  try {
    for (const kase of committedCases()) if (!only || only.includes(kase.name)) results.push(...(await runCase(backend, kase)));
  } finally {
    await backend.dispose();
  }
  return { adapter: backend.adapter, results };
};
`;
  const bundle = await esbuild.build({
    stdin: { contents: script, resolveDir: options.resolveDir, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const routes = {
    '/': '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>',
    '/page.js': bundle.outputFiles[0].contents,
  };
  const browser = await openBrowserPage({ routes, roots: options.roots ?? {}, webgpu: true });
  await browser.page.waitForFunction(() => 'runBackend' in globalThis);
  const [backendNames, caseNames] = await browser.page.evaluate(() => {
    const page = globalThis as unknown as { backendNames: string[]; caseNames: string[] };
    return [page.backendNames, page.caseNames];
  });
  const run = (name: string, only?: readonly string[]) =>
    browser.page.evaluate(
      ([n, o]) => (globalThis as unknown as { runBackend(n: string, only?: readonly string[]): Promise<BackendRun> }).runBackend(n, o),
      [name, only] as const,
    );
  const describeCheck = (r: PageCheckResult) => `${r.case} ${r.check}: ${r.reason}`;
  return {
    browser,
    backendNames,
    caseNames,
    inputs: Object.keys(bundle.metafile.inputs),
    run,
    runPassing: async (name, only) => {
      const result = await run(name, only);
      if ('error' in result) throw new Error(`${name} did not start in Chromium: ${result.error} (WebGPU: ${browser.attempts.join('; ')})`);
      const { adapter, results } = result;
      const failed = results.filter((r) => r.status === 'fail').map(describeCheck);
      const skipped = results.filter((r) => r.status === 'skip');
      console.info(`${name} in Chromium on "${adapter}": ${results.length - failed.length - skipped.length} passed, ${failed.length} failed, ${skipped.length} skipped`);
      if (failed.length > 0) throw new Error(`${name} on ${adapter} failed ${failed.length} check(s):\n${failed.join('\n')}`);
      return { adapter, results, skipped };
    },
    close: () => browser.close(),
  };
}
