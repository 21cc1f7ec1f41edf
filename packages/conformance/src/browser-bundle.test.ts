import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

// The built main entry must bundle for a browser (no Node built-in anywhere in its graph) and its
// committed cases must come along; the file-system loader must not (it lives in ./node).

const dist = new URL('../dist/', import.meta.url);
const out = mkdtempSync(join(tmpdir(), 'conformance-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const bundle = (entry: string) =>
  build({ entryPoints: [new URL(entry, dist).pathname], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });

// Every case file in the folder, which the bundle must carry.
const committedFiles = readdirSync(fileURLToPath(new URL('../cases/', import.meta.url))).filter((f) => f.endsWith('.json'));

describe('browser bundle of the main entry', () => {
  it('bundles with esbuild for the browser, with every committed case and no Node built-in', async () => {
    const result = await bundle('index.js');
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith('node:') || /^(fs|path|url|os|module)$/.test(i))).toEqual([]);
    expect(inputs.filter((i) => /(^|\/)cases\/[\w-]+\.json$/.test(i)).length).toBe(committedFiles.length);

    // The bundle alone (no node_modules, no cases folder) gives the committed cases and runs them.
    const file = join(out, 'conformance.bundle.mjs');
    writeFileSync(file, result.outputFiles[0].text);
    const bundled = await import(pathToFileURL(file).href);
    const cases = bundled.committedCases();
    expect(cases.length).toBe(committedFiles.length);
    const hand = cases.find((c: { name: string }) => c.name === 'hand-2x2-ones');
    const results = await bundled.runCase(bundled.referenceBackend(), hand);
    expect(results.map((r: { status: string }) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });

  it('keeps the file-system loader out: ./node does not bundle for a browser', async () => {
    await expect(bundle('node.js')).rejects.toThrow(/node:fs/);
  });
});
