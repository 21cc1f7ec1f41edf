import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Outside the workspace: no node_modules above it, so only what the bundle holds is there.
const dir = mkdtempSync(join(tmpdir(), 'linearconv-onnx-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bundles `entry` (a source file) into `dir`; esbuild fails the build on a Node built-in for the browser. */
async function bundle(entry: string, platform: 'browser' | 'node', external: string[]): Promise<{ file: string; imports: Metafile['outputs'][string]['imports'] }> {
  const file = join(dir, `${entry.replace(/\W/g, '-')}-${platform}.mjs`);
  const result = await build({
    entryPoints: [join(root, 'src', entry)],
    bundle: true,
    platform,
    format: 'esm',
    external,
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  return { file, imports: Object.values(result.metafile.outputs).flatMap((o) => o.imports) };
}

/** Runs `code` (an ES module) in a fresh Node process from `dir`; its last stdout line, as JSON. */
function runInDir(code: string): unknown {
  const file = join(dir, `run-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, code);
  const stdout = execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/** What a promise settles to, as plain data. */
const settle = `async function settle(p) {
  try { return { value: await p }; } catch (e) { return { error: { name: e.name, field: e.field, packageName: e.packageName, message: e.message } }; }
}`;

describe('bundles', () => {
  it('the main entry bundles for the browser: no Node built-in, onnxruntime-web a literal import', async () => {
    const { file, imports } = await bundle('index.ts', 'browser', ['onnxruntime-web', '@tensorflow/*']);
    expect(imports).toEqual([{ path: 'onnxruntime-web', kind: 'dynamic-import', external: true }]);

    // The bundle runs on its own, here in Node from a folder where onnxruntime-web is not installed.
    const result = runInDir(`${settle}
import * as onnx from ${JSON.stringify(pathToFileURL(file).href)};
const spec = { inChannels: 2, outChannels: 4, kernelSize: [3, 3], strides: [1, 1], padding: 'valid', dilation: [1, 1], groups: 1,
               useBias: false, primaryFilters: 2, coefficients: { kind: 'full' } };
const weights = { primary: new Float32Array(2 * 2 * 9), coefficients: new Float32Array(4) };
const operators = onnx.inspectModel(onnx.exportLayer(spec, weights, { mode: 'folded' })).operators;
console.log(JSON.stringify({ operators, load: await settle(onnx.loadOnnxRuntime('web')) }));
`);
    expect(result).toEqual({
      operators: { Conv: 1 },
      load: { error: expect.objectContaining({ name: 'MissingDependencyError', field: "loadOnnxRuntime('web')", packageName: 'onnxruntime-web' }) },
    });
    expect(JSON.stringify(result)).toContain('npm install onnxruntime-web');
  });

  it('the Node entry imports onnxruntime-node and @linearconv/tfjs by literal specifiers, and names them when missing', async () => {
    const { file, imports } = await bundle('node.ts', 'node', ['onnxruntime-web', 'onnxruntime-node', '@linearconv/tfjs', '@tensorflow/*']);
    const dynamic = imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
    expect(dynamic.sort()).toEqual(['@linearconv/tfjs', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-core', 'onnxruntime-node', 'onnxruntime-web']);

    const result = runInDir(`${settle}
import * as onnx from ${JSON.stringify(pathToFileURL(file).href)};
console.log(JSON.stringify({ node: await settle(onnx.loadOnnxRuntime('node')), zoo: await settle(onnx.exportToFile({ zoo: { name: 'base' } })) }));
`);
    expect(result).toEqual({
      node: { error: expect.objectContaining({ name: 'MissingDependencyError', packageName: 'onnxruntime-node' }) },
      zoo: { error: expect.objectContaining({ name: 'MissingDependencyError', field: 'exportToFile({ zoo })', packageName: '@linearconv/tfjs' }) },
    });
  });
});
