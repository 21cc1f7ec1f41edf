import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Packs every public package and installs the tarballs into an empty project outside the
// workspace: what a user gets from npm must import, typecheck and run on its own.
const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const names = ['core', 'conformance', 'cli', 'tfjs', 'onnx'];
const typescript = createRequire(import.meta.url).resolve('typescript/package.json');
const tsc = join(dirname(typescript), JSON.parse(readFileSync(typescript, 'utf8')).bin.tsc);
const work = mkdtempSync(join(tmpdir(), 'linearconv-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('published packages', () => {
  it('install from their tarballs into an empty project and work with their types', () => {
    const tarballs = join(work, 'tarballs');
    for (const name of names) run('pnpm', ['pack', '--pack-destination', tarballs], join(packages, name));
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    expect(files).toHaveLength(names.length);

    const project = join(work, 'project');
    run('mkdir', ['-p', project], work);
    // Overrides point the packages' dependencies on each other at the tarballs, not the registry.
    const local = Object.fromEntries(names.map((n) => [`@linearconv/${n}`, `file:${files.find((f) => f.includes(`-${n}-`))}`]));
    // tfjs itself comes from the registry, as it would for a user.
    const tfjs = { '@tensorflow/tfjs-core': '4.22.0', '@tensorflow/tfjs-layers': '4.22.0', '@tensorflow/tfjs-backend-cpu': '4.22.0' };
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { ...local, ...tfjs }, overrides: local }),
    );
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], project);

    writeFileSync(
      join(project, 'check.ts'),
      `import { composeFilters, layerSpec, type LayerSpec } from '@linearconv/core';
import { loadCases, referenceBackend, runCase, type Backend } from '@linearconv/conformance';
import type { ConformanceReport } from '@linearconv/cli';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { sequential } from '@tensorflow/tfjs-layers';
import { LinearConv2D, linearConv2d } from '@linearconv/tfjs';
import { exportLayer, inspectModel } from '@linearconv/onnx';
const spec: LayerSpec = layerSpec({ inChannels: 1, outChannels: 2, kernelSize: 1 });
const filters: Float32Array = composeFilters(spec, { primary: new Float32Array([2]), coefficients: new Float32Array([3]), bias: new Float32Array(2) });
const backend: Backend = referenceBackend();
const cases = loadCases();
const results = await runCase(backend, cases[0]);
const report: Pick<ConformanceReport, 'passed'> = { passed: results.filter((r) => r.status === 'pass').length };
const layer: LinearConv2D = linearConv2d({ filters: 4, kernelSize: 3, inputShape: [5, 5, 2] });
const model = sequential({ layers: [layer] });
const shape = (model.predict(tf.zeros([1, 5, 5, 2])) as tf.Tensor).shape;
const onnx = inspectModel(exportLayer(spec, { primary: new Float32Array([2]), coefficients: new Float32Array([3]), bias: new Float32Array(2) }, { mode: 'compact' }));
console.log(JSON.stringify({ filters: Array.from(filters), cases: cases.length, passed: report.passed, shape, params: layer.countParams(), onnxParams: onnx.params }));
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        // tfjs's own typings need skipLibCheck (DESIGN.md); ours are checked through their use here.
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: [], outDir: 'out' },
        files: ['check.ts'],
      }),
    );
    run('node', [tsc, '-p', '.'], project);
    const printed = JSON.parse(run('node', ['out/check.js'], project));
    expect(printed.filters).toEqual([2, 6]);
    expect(printed.cases).toBeGreaterThanOrEqual(30);
    expect(printed.passed).toBeGreaterThan(0);
    expect(printed.shape).toEqual([1, 3, 3, 4]);
    expect(printed.params).toBe(2 * 18 + 2 * 2 + 4);
    expect(printed.onnxParams).toBe(1 + 1 + 2);

    const params = JSON.parse(run(join(project, 'node_modules/.bin/linearconv'), ['params', '--model', 'base', '--json'], project));
    expect(params).toMatchObject({ model: 'base', variant: 'conv' });
    expect(Number.isInteger(params.params)).toBe(true);
  });
});
