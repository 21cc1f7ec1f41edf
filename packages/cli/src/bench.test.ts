import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backend, type BackendFactory, BackendRegistry, referenceBackend, referenceFactory } from '@linearconv/conformance';
import { describe, expect, it } from 'vitest';
import { knownBackends } from './backends.js';
import { latencyChartSvg } from './bench/chart.js';
import { QUICK_LAYERS, standardLayers } from './bench/layers.js';
import { benchMarkdown } from './bench/markdown.js';
import type { BenchReport } from './bench/result.js';
import { runBench } from './bench/run-bench.js';
import { cli, expectWellFormedSvg, tinyLayers } from './test-support/bench-fixtures.js';

const once = { warmup: 1, minRuns: 1, maxRuns: 1, budgetMs: 0 };
const options = { batches: [1, 3], timing: once, seed: 7, quick: true, command: 'test' };

describe('linearconv bench', () => {
  it('--quick --json on reference and tfjs-wasm: a well-formed report, files written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const { code, out: stdout, err } = await cli('bench', '--quick', '--json', '--backend', 'reference', '--backend', 'tfjs-wasm', '--out', out);
    expect(code, err).toBe(0);
    const report: BenchReport = JSON.parse(stdout);
    expect(report.unavailable).toEqual([]);
    expect(report.layers.map((l) => l.name)).toEqual(QUICK_LAYERS);
    expect(report.settings).toMatchObject({ quick: true, batches: [1], backends: ['reference', 'tfjs-wasm'] });
    for (const r of report.results) {
      expect(Object.keys(r).sort()).toEqual(['backend', 'batch', 'gflops', 'layer', 'maxAbsError', 'medianMs', 'ratioToConv', 'runs', 'variant']);
      for (const value of [r.medianMs, r.gflops, r.maxAbsError]) expect(Number.isFinite(value)).toBe(true);
      expect(r.medianMs).toBeGreaterThan(0);
      expect(r.maxAbsError).toBeLessThan(1e-3);
      const layer = report.layers.find((l) => l.name === r.layer)!;
      expect(r.gflops).toBeCloseTo((2 * layer.macs * r.batch) / (r.medianMs * 1e6), 9);
      if (r.variant === 'conv') {
        expect(r.ratioToConv).toBeNull();
      } else {
        const conv = report.results.find((c) => c.variant === 'conv' && c.layer === r.layer && c.batch === r.batch && c.backend === r.backend)!;
        expect(r.ratioToConv).toBeCloseTo(r.medianMs / conv.medianMs, 12);
      }
    }
    // Every case is measured (both variants) or omitted with its reason; the reference skips the 3×3 conv.
    for (const backend of ['reference', 'tfjs-wasm']) {
      for (const layer of QUICK_LAYERS) {
        const rows = report.results.filter((r) => r.backend === backend && r.layer === layer);
        const omitted = report.omitted.filter((o) => o.backend === backend && o.layer === layer);
        expect(rows.length === 2 ? omitted.length : rows.length + omitted.length, `${backend} ${layer}`).toBe(rows.length === 2 ? 0 : 1);
      }
    }
    expect(report.omitted).toEqual([
      { layer: 'resnet18/layer4.0.conv1', batch: 1, backend: 'reference', reason: expect.stringMatching(/^skipped: 37\.7 MFLOP a run is over reference's cap/) },
    ]);
    expect(report.results.filter((r) => r.backend === 'tfjs-wasm')).toHaveLength(2 * QUICK_LAYERS.length);
    // Progress: one line per case on stderr.
    expect(err.split('\n').filter((l) => /^\[\d\/8\] /.test(l))).toHaveLength(8);

    expect(JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'))).toEqual(report);
    const md = readFileSync(join(out, 'bench.md'), 'utf8');
    expect(md).toContain('| layer | shape | batch | reference | tfjs-wasm |');
    expect(md).toMatch(/\| resnet18\/layer4\.0\.conv1 \| 256→512 3×3 s2 @8×8 \| 1 \| skipped \| [\d.]+ \(×[\d.]+\) \|/);
    const svg = readFileSync(join(out, 'bench.svg'), 'utf8');
    expectWellFormedSvg(svg);
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(report.results.length);
  });

  it('prints the table with skipped cells and their reasons, and a line per backend', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const { code, out: stdout } = await cli('bench', '--backend', 'reference', '--layer', 'mobilenetv2/layers.1.conv2', '--layer', 'resnet18/conv1', '--batch', '1', '--batch', '32', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/mobilenetv2\/layers\.1\.conv2 +96 dw 3×3 s1 @32×32 +1 +reference +[\d.]+ +[\d.]+ +×[\d.]+ +[\d.]+ +0\n/);
    expect(stdout).toMatch(/resnet18\/conv1 +3→64 3×3 s1 @32×32 +32 +reference +skipped: 113\.2 MFLOP a run is over reference's cap of 10\.0 MFLOP/);
    // measured, skipped, failed, the ratio's geomean, at batch 1, at batch 32 (none measured), range, GFLOP/s, max error.
    expect(stdout).toMatch(/\nreference +2 +2 +0 +×[\d.]+ +×[\d.]+ +– +×[\d.]+–×[\d.]+ +[\d.]+ +0\n/);
  });

  it.each([
    [['bench', '--backend', 'nope'], /unknown backend "nope"; known backends: reference, tfjs-cpu, tfjs-wasm, tfjs-webgpu, onnx-wasm-compact, onnx-wasm-folded, onnx-node-compact, onnx-node-folded, webgpu/],
    [['bench', '--layer', 'resnet18/conv9'], /unknown layer "resnet18\/conv9"; known layers: resnet18\/conv1, /],
    [['bench', '--batch', '0'], /--batch must be a positive integer, got "0"/],
  ])('rejects %j with exit 2 and one line', async (argv, message) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});

describe('runBench', () => {
  it('lists a backend that cannot start, or cannot prepare, as unavailable with the reason', async () => {
    const broken: BackendFactory = {
      name: 'broken',
      create: async () => {
        throw new Error('no device here');
      },
    };
    const { prepare: _, ...unprepared } = referenceBackend();
    const registry = new BackendRegistry([referenceFactory, broken, { name: 'unprepared', create: async () => ({ ...unprepared, name: 'unprepared' }) }]);
    const lines: string[] = [];
    const report = await runBench(registry, { ...options, layers: tinyLayers(), backends: ['broken', 'reference', 'unprepared'], progress: (l) => lines.push(l) });
    expect(report.unavailable).toEqual([
      { backend: 'broken', reason: 'no device here' },
      { backend: 'unprepared', reason: expect.stringMatching(/has no prepare\(\)/) },
    ]);
    expect(new Set(report.results.map((r) => r.backend))).toEqual(new Set(['reference']));
    expect(report.results).toHaveLength(tinyLayers().length * 2 * 2);
    expect(lines).toContain('broken: unavailable: no device here');
    expect(benchMarkdown(report)).toContain('| broken | unavailable: no device here |');
    expectWellFormedSvg(latencyChartSvg(report));
  });

  it('reports wrong outputs in maxAbsError, and a failing case as omitted, without stopping', async () => {
    const reference = referenceBackend();
    const wrong: Backend = {
      ...reference,
      name: 'wrong',
      async prepare(spec, weights, shape, { plain }) {
        if (spec.groups > 1) throw new Error('no depthwise here');
        const layer = await reference.prepare!(spec, weights, shape, { plain });
        // LinearConv off by 0.5 everywhere; the plain conv right.
        return { run: async (x) => ({ ...(await layer.run(x)), data: (await layer.run(x)).data.map((v) => v + (plain ? 0 : 0.5)) }), dispose: layer.dispose };
      },
    };
    const registry = new BackendRegistry([{ name: 'wrong', create: async () => wrong }]);
    const report = await runBench(registry, { ...options, layers: tinyLayers(), backends: ['wrong'] });
    const linear = report.results.filter((r) => r.variant === 'linearconv');
    expect(linear).toHaveLength(3 * 2);
    for (const r of linear) expect(r.maxAbsError).toBeCloseTo(0.5, 12);
    for (const r of report.results.filter((r) => r.variant === 'conv')) expect(r.maxAbsError).toBeLessThan(1e-12);
    expect(report.omitted).toEqual([1, 3].map((batch) => ({ layer: 'tiny/depthwise', batch, backend: 'wrong', reason: 'failed: no depthwise here' })));
  });

  it("every backend's prepared layers, LinearConv and plain, agree with the float64 reference", async () => {
    const registry = knownBackends();
    // WebGPU kernels may use relaxed precision; CPUs compute in float32.
    const tolerance = (backend: string) => (backend.includes('webgpu') ? 1e-3 : 1e-4);
    const report = await runBench(registry, { ...options, layers: tinyLayers(), backends: registry.names });
    expect(report.omitted).toEqual([]);
    expect(report.unavailable).toEqual([]);
    for (const backend of registry.names) {
      const rows = report.results.filter((r) => r.backend === backend);
      expect(rows, backend).toHaveLength(tinyLayers().length * 2 * 2);
      for (const r of rows) expect(r.maxAbsError, `${backend} ${r.layer} ${r.variant} batch ${r.batch}`).toBeLessThan(tolerance(backend));
    }
  });
});

describe('standardLayers', () => {
  it("has each distinct conv shape of ResNet-18 and VGG11 once, and MobileNetV2's pointwise and depthwise picks", () => {
    const layers = standardLayers();
    const names = layers.map((l) => l.name);
    expect(names.filter((n) => n.startsWith('resnet18/'))).toHaveLength(11);
    expect(names.filter((n) => n.startsWith('vgg11/'))).toEqual(['vgg11/conv2', 'vgg11/conv3', 'vgg11/conv5', 'vgg11/conv7']);
    expect(layers.find((l) => l.name === 'resnet18/layer1.0.conv1')!.sameShape).toEqual([
      'resnet18/layer1.0.conv1',
      'resnet18/layer1.0.conv2',
      'resnet18/layer1.1.conv1',
      'resnet18/layer1.1.conv2',
    ]);
    expect(layers.find((l) => l.name === 'resnet18/conv1')!.sameShape).toContain('vgg11/conv1');
    const mobile = layers.filter((l) => l.name.startsWith('mobilenetv2/'));
    expect(mobile.filter((l) => l.spec.groups === l.spec.inChannels && l.spec.groups > 1).length).toBeGreaterThanOrEqual(3);
    expect(mobile.filter((l) => l.spec.kernelSize[0] === 1).length).toBeGreaterThanOrEqual(3);
    expect(new Set(layers.map((l) => JSON.stringify([l.spec.inChannels, l.spec.outChannels, l.spec.kernelSize, l.spec.strides, l.spec.groups, l.inputSize]))).size).toBe(layers.length);
    expect(layers.find((l) => l.name === 'resnet18/layer1.0.conv1')!.macs).toBe(64 * 32 * 32 * 64 * 9);
  });
});
