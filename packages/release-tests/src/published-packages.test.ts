import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowserPage } from '@linearconv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundleResult, esbuildBundle, esbuildPage, type Size, viteBundle, vitePage } from './browser-bundles.js';
import { forgetRegistryInNpmCache, installConsumer } from './consumer-project.js';
import { type LocalRegistry, startLocalRegistry } from './local-registry.js';
import { type PublishedPackage, publishPackage } from './publish.js';
import { pinnedVersion, publicPackages, readJson, repoRoot } from './workspace.js';

// The release path end to end: every public package published to a local registry (verdaccio, no
// uplink) as a release publishes it, installed with npm into an empty project outside the
// workspace, then used from there as users use it: ES modules, CommonJS, TypeScript, the bin, the
// README snippets, and browser bundles (esbuild, vite) run in headless Chromium.

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const reports = join(here, '..', 'reports');
const packages = publicPackages();
const libraries = packages.filter((p) => !p.json.bin);
/** Third-party packages a user installs next to ours for the checks below, at the versions the workspace tests. */
const thirdParty = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-web', 'onnxruntime-node', 'webgpu'];
/** Entry points that need what a consumer here does not have. */
const notLoaded: Readonly<Record<string, string>> = { '@linearconv/conformance/vitest': 'needs vitest, a test runner' };
/** The Node-only entries: file system, onnxruntime-node. */
const nodeEntries = ['@linearconv/conformance/node', '@linearconv/onnx/node', '@linearconv/tfjs/node', '@linearconv/torch/node'];

const work = mkdtempSync(join(tmpdir(), 'linearconv-release-'));
const consumer = join(work, 'consumer');
const seconds: Record<string, number> = {};
let registry: LocalRegistry | undefined;
const published: PublishedPackage[] = [];

async function timed<T>(name: string, task: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  try {
    return await task();
  } finally {
    seconds[name] = Math.round((performance.now() - start) / 100) / 10;
  }
}

const installed = (name: string) => readJson(join(consumer, 'node_modules', name, 'package.json'));
const node = (args: string[], timeout = 120_000) =>
  execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
/** What fails a bundle: a Node built-in in it, or the bundler's messages when it built nothing. */
const problems = (result: BundleResult) => [...result.builtins, ...(result.size ? [] : result.messages)];
const readResult = <T>(file: string) => JSON.parse(readFileSync(join(consumer, file), 'utf8')) as T;

/** Every subpath an installed package exports, as specifiers (`@linearconv/onnx/node`), but package.json. */
function entryPoints(name: string): string[] {
  return Object.keys(installed(name).exports ?? { '.': null })
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? name : `${name}/${subpath.slice(2)}`));
}

beforeAll(async () => {
  registry = await timed('start the registry', () => startLocalRegistry(join(work, 'registry')));
  try {
    for (const pkg of packages) published.push(await timed(`publish ${pkg.json.name}`, () => publishPackage(pkg, registry!)));
    const rootTypes = readJson(join(repoRoot, 'package.json')).devDependencies?.['@types/node'] ?? '*';
    const dependencies = {
      ...Object.fromEntries(published.map((p) => [p.name, p.version])),
      ...Object.fromEntries(thirdParty.map((name) => [name, pinnedVersion(name, packages)])),
      '@types/node': rootTypes,
    };
    await timed('npm install', () => installConsumer(consumer, registry!.url, dependencies));
  } finally {
    // Everything is installed: the registry has done its part.
    await registry.stop();
  }
  for (const file of ['load.mjs', 'load.cjs', 'use.mjs', 'check.ts', 'check-without-tfjs.ts']) copyFileSync(join(fixtures, file), join(consumer, file));
}, 900_000);

afterAll(async () => {
  await registry?.stop();
  if (registry) forgetRegistryInNpmCache(registry.url, tmpdir());
  console.info(`release cycle, seconds: ${JSON.stringify(seconds)}`);
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('publish → install through a local registry', () => {
  it('publishes every public package with its workspace: ranges rewritten to versions', () => {
    expect(published.map((p) => p.name)).toEqual(packages.map((p) => p.json.name));
    for (const { name } of published) {
      const json = installed(name);
      for (const field of ['dependencies', 'peerDependencies', 'devDependencies'] as const) {
        const ranges = Object.entries(json[field] ?? {}).filter(([, range]) => range.startsWith('workspace:'));
        expect(ranges, `${name} ${field}`).toEqual([]);
      }
    }
    const sizes = Object.fromEntries(published.map((p) => [p.name, { version: p.version, tarball: p.size, unpacked: p.unpackedSize, files: p.files.length }]));
    mkdirSync(reports, { recursive: true });
    writeFileSync(join(reports, 'tarball-sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
    console.info(`tarballs: ${JSON.stringify(sizes)}`);
  });

  it('installs each package from the registry, exactly as published', () => {
    const lock = readJson<{ packages: Record<string, { version: string; integrity?: string }> }>(join(consumer, 'package-lock.json'));
    for (const p of published) {
      expect(lock.packages[`node_modules/${p.name}`], p.name).toMatchObject({ version: p.version, integrity: p.integrity });
    }
  });

  it('ships what users run: no test, test support or case generator in a tarball', () => {
    const unwanted = published.flatMap((p) => p.files.filter((f) => /\.test\.|(^|\/)test-support\/|generate-cases/.test(f)).map((f) => `${p.name}: ${f}`));
    expect(unwanted).toEqual([]);
  });

  it('lists every public package as a devDependency, so that turbo builds them before this test', () => {
    const own = readJson(join(here, '..', 'package.json')).devDependencies ?? {};
    expect(packages.filter((p) => own[p.json.name] !== 'workspace:*').map((p) => p.json.name)).toEqual([]);
  });
});

describe('Node consumers of the installed packages', () => {
  type Loaded = Record<string, { exports?: string[]; error?: string }>;
  const specifiers = () => packages.flatMap((p) => entryPoints(p.json.name)).filter((s) => !Object.hasOwn(notLoaded, s));

  it('has every Node entry point, each with types, import and default conditions', () => {
    const all = packages.flatMap((p) => entryPoints(p.json.name));
    expect(nodeEntries.filter((e) => !all.includes(e))).toEqual([]);
    const incomplete = packages.flatMap(({ json }) =>
      Object.entries(installed(json.name).exports ?? {})
        .filter(([subpath]) => subpath !== './package.json')
        .filter(([, conditions]) => ['types', 'import', 'default'].some((c) => typeof (conditions as Record<string, unknown>)?.[c] !== 'string'))
        .map(([subpath]) => `${json.name} ${subpath}`),
    );
    expect(incomplete).toEqual([]);
  });

  it('imports every entry point as an ES module', () => {
    node(['load.mjs', 'esm.json', ...specifiers()]);
    const loaded = readResult<Loaded>('esm.json');
    const failed = Object.entries(loaded).filter(([, r]) => r.error || !r.exports?.length);
    expect(failed.map(([s, r]) => `${s}: ${r.error ?? 'no exports'}`)).toEqual([]);
  });

  it('requires every entry point from CommonJS, with the same exports', () => {
    node(['load.cjs', 'cjs.json', ...specifiers()]);
    const loaded = readResult<Loaded & { composed: number[] }>('cjs.json');
    const esm = readResult<Loaded>('esm.json');
    for (const specifier of specifiers()) {
      expect(loaded[specifier].error, specifier).toBeUndefined();
      expect(loaded[specifier].exports, specifier).toEqual(esm[specifier].exports);
    }
    // One primary [2] and one coefficient 3 compose to [2, 3·2].
    expect(loaded.composed).toEqual([2, 6]);
  });

  /** One check of fixtures/use.mjs, in its own Node process: its value (the test fails on its error). */
  const use = (check: string): unknown => {
    node(['use.mjs', `use-${check}.json`, check], 240_000);
    const result = readResult<{ value?: unknown; error?: string }>(`use-${check}.json`);
    expect(result.error, check).toBeUndefined();
    return result.value;
  };

  it('core composes filters', () => {
    expect(use('core')).toEqual([2, 6]);
  });

  it('conformance runs its committed cases on the reference backend, the same cases as the files', () => {
    const main = use('conformance') as { cases: number; names: string[]; statuses: Record<string, number> };
    expect(main.cases).toBeGreaterThanOrEqual(30);
    expect(Object.keys(main.statuses)).toEqual(['pass']);
    const files = use('conformance-node') as { loaded: string[]; files: number; jsonFiles: number };
    expect(files.loaded).toEqual(main.names);
    expect(files.files).toBe(files.jsonFiles);
  });

  it('tfjs builds and runs a LinearConv2D on the cpu backend', () => {
    // 4 filters, 2 primaries of 3·3·2 = 18, a 2×2 coefficient matrix, 4 biases.
    expect(use('tfjs')).toEqual({ shape: [1, 3, 3, 4], params: 2 * 18 + 2 * 2 + 4, backend: 'cpu' });
  });

  it('tfjs/node saves a model to disk and loads the same model back', () => {
    const saved = use('tfjs-node') as { files: string[]; weightBytes: number; params: number; maxDiff: number };
    expect(saved.files).toEqual(['model.json', 'weights.bin']);
    expect(saved.weightBytes).toBe(4 * saved.params);
    expect(saved.maxDiff).toBe(0);
  });

  it('onnx exports a layer that stores only primaries, coefficients and bias', () => {
    expect(use('onnx')).toEqual({ params: 1 + 1 + 2 });
  });

  it.each(['onnx-web', 'onnx-node'])('%s runs an exported layer like core’s float64 reference', (check) => {
    const result = use(check) as { shape: number[]; expectedShape: number[]; maxDiff: number };
    expect(result.shape).toEqual(result.expectedShape);
    expect(result.maxDiff).toBeLessThan(1e-4);
  });

  it('onnx/node writes an exported model to a file', () => {
    const result = use('onnx-node-file') as { written: number; bytes: number; params: number; modelParams: number };
    expect(result.written).toBe(result.bytes);
    expect(result.params).toBe(result.modelParams);
  });

  it('webgpu runs the layer on Dawn like core’s float64 reference', () => {
    expect((use('webgpu') as { maxDiff: number }).maxDiff).toBeLessThan(1e-4);
  });

  const tsc = (() => {
    const manifest = createRequire(join(repoRoot, 'package.json')).resolve('typescript/package.json');
    return join(dirname(manifest), (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { tsc: string } }).bin.tsc);
  })();
  /** tsc --noEmit over `file`; its diagnostics, one per line (none when it compiles). */
  const typecheck = (file: string, skipLibCheck: boolean): string[] => {
    const config = `tsconfig.${file}.${skipLibCheck ? 'skip' : 'full'}.json`;
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], skipLibCheck };
    writeFileSync(join(consumer, config), JSON.stringify({ compilerOptions, files: [file] }));
    try {
      node([tsc, '-p', config]);
      return [];
    } catch (e) {
      return String((e as { stdout?: string }).stdout ?? e)
        .split('\n')
        .filter((line) => /error TS\d+/.test(line));
    }
  };

  it('type-checks a TypeScript consumer of every package with skipLibCheck', () => {
    expect(typecheck('check.ts', true)).toEqual([]);
  });

  it('type-checks it without skipLibCheck: no error in our declarations or the consumer', () => {
    const errors = typecheck('check.ts', false);
    const ours = errors.filter((line) => line.startsWith('check.ts') || line.startsWith('node_modules/@linearconv/'));
    const theirs = [...new Set(errors.filter((line) => !ours.includes(line)).map((line) => line.split('(')[0].replace(/^.*\/node_modules\/(?!.*\/node_modules\/)/, '…/')))];
    // tfjs's declarations do not compile without skipLibCheck (Long; its own older @webgpu/types,
    // whose globals clash with the DOM lib's and with the current @webgpu/types).
    if (theirs.length > 0) console.info(`third-party declarations with errors without skipLibCheck: ${theirs.join(', ')}`);
    expect(ours).toEqual([]);
  });

  it('type-checks the packages that do not bring tfjs without skipLibCheck, with no error at all', () => {
    expect(typecheck('check-without-tfjs.ts', false)).toEqual([]);
  });

  it('runs the installed linearconv bin', () => {
    const bin = join(consumer, 'node_modules', '.bin', 'linearconv');
    const version = execFileSync(bin, ['--version'], { cwd: consumer, encoding: 'utf8' }).trim();
    expect(version).toContain(installed('@linearconv/cli').version);
    const params = JSON.parse(execFileSync(bin, ['params', '--model', 'base', '--json'], { cwd: consumer, encoding: 'utf8' }));
    expect(params).toMatchObject({ model: 'base', variant: 'conv' });
    expect(Number.isInteger(params.params)).toBe(true);
  });

  // One test per ```js block of each README, run from the installed package's README.
  const snippets = packages.flatMap(({ json, dir }) => {
    const readme = join(dir, 'README.md');
    if (!existsSync(readme)) return [];
    return [...readFileSync(readme, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((_, i) => [json.name, i + 1] as const);
  });
  it.each(snippets)('%s README snippet %i runs against the installed packages', (name, i) => {
    const readme = readFileSync(join(consumer, 'node_modules', name, 'README.md'), 'utf8');
    expect(readme, 'the published README is the workspace one').toBe(readFileSync(join(packages.find((p) => p.json.name === name)!.dir, 'README.md'), 'utf8'));
    const code = [...readme.matchAll(/```js\n([\s\S]*?)```/g)][i - 1][1];
    const file = `readme-${name.split('/')[1]}-${i}.mjs`;
    writeFileSync(join(consumer, file), code);
    try {
      node([file], 180_000);
    } catch (e) {
      const { stderr, message } = e as { stderr?: string; message: string };
      expect.fail(`${file}: ${(stderr || message).split('\n').slice(0, 8).join('\n')}`);
    }
  }, 200_000);
});

describe('browser bundles of the installed packages', () => {
  const sizes: Record<string, { esbuild?: Size; esbuildWithPeers?: Size; vite?: Size; viteWithPeers?: Size }> = {};
  const entry = (name: string) => {
    const file = join(consumer, 'entries', `${name.split('/')[1]}.js`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `export * from '${name}';\n`);
    return file;
  };
  afterAll(() => {
    if (Object.keys(sizes).length === 0) return;
    mkdirSync(reports, { recursive: true });
    writeFileSync(join(reports, 'bundle-sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
    console.log(`bundle sizes (bytes of minified JavaScript; esbuild, vite: peer dependencies left out; …WithPeers: everything): ${JSON.stringify(sizes, null, 2)}`);
  });

  it.each(libraries.map((p) => p.json.name))('%s bundles with esbuild for the browser, with no Node built-in', async (name) => {
    const file = entry(name);
    const peers = Object.keys(installed(name).peerDependencies ?? {});
    const own = await esbuildBundle(file, join(consumer, 'out', 'esbuild', `${name.split('/')[1]}.js`), peers);
    const full = await esbuildBundle(file, join(consumer, 'out', 'esbuild-full', `${name.split('/')[1]}.js`));
    sizes[name] = { ...sizes[name], esbuild: own.size, esbuildWithPeers: full.size };
    expect(problems(own)).toEqual([]);
    expect(problems(full)).toEqual([]);
  });

  it.each(libraries.map((p) => p.json.name))('%s bundles with vite for the browser, with no Node built-in', async (name) => {
    const file = entry(name);
    const own = await viteBundle(file, consumer, Object.keys(installed(name).peerDependencies ?? {}));
    const full = await viteBundle(file, consumer);
    sizes[name] = { ...sizes[name], vite: own.size, viteWithPeers: full.size };
    expect(problems(own)).toEqual([]);
    expect(problems(full)).toEqual([]);
  });
});

describe('bundled pages in headless Chromium', () => {
  type Checks = Record<string, { error?: string; backend?: string; maxDiffVsReference?: number; maxDiffVsCpu?: number; shape?: number[] }>;

  async function runPage(outdir: string): Promise<{ checks: Checks; adapter: string; errors: readonly string[] }> {
    const browser = await openBrowserPage({
      roots: { '/': outdir, '/ort/': join(consumer, 'node_modules', 'onnxruntime-web', 'dist') },
      path: '/index.html',
      webgpu: true,
    });
    try {
      await browser.page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 60_000 });
      const checks = await browser.page.evaluate(() => (globalThis as unknown as { runChecks(): Promise<Checks> }).runChecks());
      return { checks, adapter: browser.attempts.join('; '), errors: browser.errors };
    } finally {
      await browser.close();
    }
  }

  function expectChecks({ checks, adapter, errors }: Awaited<ReturnType<typeof runPage>>) {
    expect(errors).toEqual([]);
    for (const [name, result] of Object.entries(checks)) expect.soft(result.error, `${name} (WebGPU: ${adapter})`).toBeUndefined();
    expect.soft(checks['tfjs-cpu']).toMatchObject({ backend: 'cpu' });
    expect.soft(checks['tfjs-cpu'].maxDiffVsReference).toBeLessThan(1e-4);
    expect.soft(checks['tfjs-webgl']).toMatchObject({ backend: 'webgl' });
    expect.soft(checks['tfjs-webgl'].maxDiffVsCpu).toBeLessThan(1e-4);
    expect.soft(checks['onnx-wasm'].maxDiffVsCpu).toBeLessThan(1e-4);
    expect.soft(checks.webgpu.maxDiffVsReference).toBeLessThan(1e-4);
  }

  it('an esbuild page runs the layer on tfjs cpu and webgl, onnxruntime-web and WebGPU', async () => {
    const dir = join(consumer, 'esbuild-page');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(fixtures, 'page.js'), join(dir, 'page.js'));
    const bundle = await esbuildPage(join(dir, 'page.js'), join(dir, 'dist'));
    expect(problems(bundle)).toEqual([]);
    expectChecks(await runPage(join(dir, 'dist')));
  }, 240_000);

  it('a vite page does the same', async () => {
    const dir = join(consumer, 'vite-page');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(fixtures, 'page.js'), join(dir, 'page.js'));
    const bundle = await vitePage(join(dir, 'page.js'), join(dir, 'dist'));
    expect(bundle.messages.filter((m) => /error/i.test(m))).toEqual([]);
    expectChecks(await runPage(join(dir, 'dist')));
  }, 240_000);
});
