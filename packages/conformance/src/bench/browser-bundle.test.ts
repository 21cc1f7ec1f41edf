import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

// The harness runs unchanged in a browser: its entry, from source (a stale build cannot hide a
// regression), bundles for the browser platform with no Node built-in anywhere in its graph, and
// the bundle alone measures a layer on the reference backend.

const out = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('browser bundle of @linearconv/conformance/bench', () => {
  it('bundles for the browser with no Node built-in, and the bundle alone runs a bench', async () => {
    const result = await build({
      stdin: {
        // The harness, and the registry and reference backend from the main entry to run it with.
        contents: "export * from './bench/index.ts'; export { BackendRegistry, referenceFactory } from './index.ts';",
        resolveDir: fileURLToPath(new URL('..', import.meta.url)),
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.endsWith('bench/run-bench.ts') || i.endsWith('bench/timing.ts'))).toHaveLength(2);
    expect(inputs.filter((i) => i.startsWith('node:') || /^(fs|path|url|os|module|util|process|perf_hooks)$/.test(i))).toEqual([]);

    const file = join(out, 'bench.bundle.mjs');
    writeFileSync(file, result.outputFiles[0].text);
    const bundled = await import(pathToFileURL(file).href);
    const layers = bundled.selectLayers(['resnet18/layer2.0.shortcut.conv']);
    const report = await bundled.runBench(new bundled.BackendRegistry([bundled.referenceFactory]), {
      layers,
      batches: [1],
      backends: ['reference'],
      timing: { warmup: 1, minRuns: 1, maxRuns: 1, budgetMs: 0 },
      quick: true,
      command: 'bundle test',
      device: { runtime: 'bundle' },
    });
    expect(report.format).toBe('linearconv-bench@3');
    expect(report.results.map((r: { variant: string }) => r.variant)).toEqual(['conv', 'linearconv', 'control']);
    for (const r of report.results) expect(r.maxAbsError).toBeLessThan(1e-9);
  });
});
