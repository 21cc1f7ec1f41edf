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
const names = ['core', 'conformance', 'cli'];
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
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: local, overrides: local }),
    );
    run('npm', ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts'], project);

    writeFileSync(
      join(project, 'check.ts'),
      `import { composeFilters, layerSpec, type LayerSpec } from '@linearconv/core';
import { loadCases, referenceBackend, runCase, type Backend } from '@linearconv/conformance';
import type { ConformanceReport } from '@linearconv/cli';
const spec: LayerSpec = layerSpec({ inChannels: 1, outChannels: 2, kernelSize: 1 });
const filters: Float32Array = composeFilters(spec, { primary: new Float32Array([2]), coefficients: new Float32Array([3]), bias: new Float32Array(2) });
const backend: Backend = referenceBackend();
const cases = loadCases();
const results = await runCase(backend, cases[0]);
const report: Pick<ConformanceReport, 'passed'> = { passed: results.filter((r) => r.status === 'pass').length };
console.log(JSON.stringify({ filters: Array.from(filters), cases: cases.length, passed: report.passed }));
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: [], outDir: 'out' },
        files: ['check.ts'],
      }),
    );
    run('node', [tsc, '-p', '.'], project);
    const printed = JSON.parse(run('node', ['out/check.js'], project));
    expect(printed.filters).toEqual([2, 6]);
    expect(printed.cases).toBeGreaterThanOrEqual(30);
    expect(printed.passed).toBeGreaterThan(0);

    const params = JSON.parse(run(join(project, 'node_modules/.bin/linearconv'), ['params', '--model', 'base', '--json'], project));
    expect(params).toMatchObject({ model: 'base', variant: 'conv' });
    expect(Number.isInteger(params.params)).toBe(true);
  });
});
