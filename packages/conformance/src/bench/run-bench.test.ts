import { countMacs, layerSpec } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import type { Backend, BackendFactory } from '../backend.js';
import { referenceBackend, referenceFactory } from '../reference-backend.js';
import { BackendRegistry } from '../registry.js';
import type { BenchLayer } from './layers.js';
import { BENCH_FORMAT } from './result.js';
import { runBench } from './run-bench.js';

const once = { warmup: 1, minRuns: 1, maxRuns: 1, budgetMs: 0 };
const options = { batches: [1, 3], timing: once, seed: 7, quick: true, command: 'test' };

/** Small layers of the kinds the standard set has (3×3, stride 2, 1×1, depthwise), with and without bias, and one low-rank. */
function tinyLayers(): BenchLayer[] {
  const layer = (name: string, input: Parameters<typeof layerSpec>[0], size: number): BenchLayer => {
    const spec = layerSpec(input);
    return { name, sameShape: [name], spec, inputSize: [size, size], macs: countMacs(spec, [size, size]) };
  };
  const pad = (k: number) => [k >> 1, k >> 1, k >> 1, k >> 1] as const;
  return [
    layer('tiny/conv3x3', { inChannels: 4, outChannels: 6, kernelSize: 3, padding: pad(3), useBias: true }, 6),
    layer('tiny/stride2-lowrank', { inChannels: 6, outChannels: 8, kernelSize: 3, strides: 2, padding: pad(3), useBias: false, coefficients: { kind: 'lowRank', rank: 2 } }, 7),
    layer('tiny/pointwise', { inChannels: 8, outChannels: 4, kernelSize: 1, padding: pad(1), useBias: false }, 5),
    layer('tiny/depthwise', { inChannels: 6, outChannels: 6, kernelSize: 3, groups: 6, padding: pad(3), useBias: false }, 6),
  ];
}

describe('runBench', () => {
  it('measures conv, linearconv and control per case, with the ratios, GFLOP/s, the device and the adapter', async () => {
    const withAdapter: BackendFactory = { name: 'reference', create: async () => ({ ...referenceBackend(), adapter: 'float64 JS on the CPU' }) };
    const device = { runtime: 'test runtime', cpus: 3, gpu: { vendor: 'v', architecture: 'a' } };
    const report = await runBench(new BackendRegistry([withAdapter]), { ...options, layers: tinyLayers(), backends: ['reference'], device });
    expect(report.format).toBe(BENCH_FORMAT);
    expect(report.device).toEqual(device);
    expect(report.machine).toBeUndefined();
    expect(report.settings).toMatchObject({ quick: true, batches: [1, 3], backends: ['reference'], seed: 7, ...once, flopCaps: { reference: 1e7 } });
    expect(report.layers.map((l) => [l.name, l.shape])).toEqual([
      ['tiny/conv3x3', '4→6 3×3 s1 @6×6'],
      ['tiny/stride2-lowrank', '6→8 3×3 s2 @7×7'],
      ['tiny/pointwise', '8→4 1×1 s1 @5×5'],
      ['tiny/depthwise', '6 dw 3×3 s1 @6×6'],
    ]);
    expect(report.results).toHaveLength(tinyLayers().length * 2 * 3);
    for (const r of report.results) {
      expect(r.adapter).toBe('float64 JS on the CPU');
      // The reference against itself: exact.
      expect(r.maxAbsError).toBeLessThan(1e-12);
      expect(r.runs).toBe(1);
      const layer = report.layers.find((l) => l.name === r.layer)!;
      expect(r.gflops).toBeCloseTo((2 * layer.macs * r.batch) / (r.medianMs * 1e6), 9);
      const conv = report.results.find((c) => c.variant === 'conv' && c.layer === r.layer && c.batch === r.batch)!;
      expect(r.ratioToConv).toBe(r.variant === 'conv' ? null : r.medianMs / conv.medianMs);
    }
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('records no adapter for a backend that does not name one, and the user agent (or "unknown") without a device', async () => {
    const report = await runBench(new BackendRegistry([referenceFactory]), { ...options, batches: [1], layers: tinyLayers().slice(0, 1), backends: ['reference'] });
    expect(report.results.map((r) => 'adapter' in r)).toEqual([false, false, false]);
    const agent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
    expect(report.device).toEqual({ runtime: agent ?? 'unknown' });
  });

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
    expect(report.results).toHaveLength(tinyLayers().length * 2 * 3);
    expect(lines).toContain('broken: unavailable: no device here');
  });

  it('announces each case before it runs, with how many are done, and a line after', async () => {
    const starts: [number, number, string][] = [];
    const lines: string[] = [];
    await runBench(new BackendRegistry([referenceFactory]), {
      ...options,
      batches: [1],
      layers: tinyLayers(),
      backends: ['reference'],
      onCaseStart: (done, total, what) => starts.push([done, total, what]),
      progress: (line) => lines.push(line),
    });
    expect(starts).toEqual(tinyLayers().map((l, i) => [i, 4, `reference ${l.name} batch 1`]));
    expect(lines.map((l) => l.split(':')[0])).toEqual(tinyLayers().map((l, i) => `[${i + 1}/4] reference ${l.name} batch 1`));
    for (const line of lines) expect(line).toMatch(/: conv [\d.]+ ms, linearconv [\d.]+ ms \(×[\d.]+, control ×[\d.]+\), [\d.]+ GFLOP\/s, max error 0, 1 runs$/);
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
    const report = await runBench(new BackendRegistry([{ name: 'wrong', create: async () => wrong }]), { ...options, layers: tinyLayers(), backends: ['wrong'] });
    const linear = report.results.filter((r) => r.variant === 'linearconv');
    expect(linear).toHaveLength(3 * 2);
    for (const r of linear) expect(r.maxAbsError).toBeCloseTo(0.5, 12);
    for (const r of report.results.filter((r) => r.variant !== 'linearconv')) expect(r.maxAbsError).toBeLessThan(1e-12);
    expect(report.omitted).toEqual([1, 3].map((batch) => ({ layer: 'tiny/depthwise', batch, backend: 'wrong', reason: 'failed: no depthwise here' })));
  });

  it('skips the cases over a slow backend\'s FLOP cap, with the reason, and refuses an unknown backend before running', async () => {
    const big = tinyLayers()[0];
    const over = { ...big, name: 'big', macs: 1e7 };
    const report = await runBench(new BackendRegistry([referenceFactory]), { ...options, batches: [1], layers: [over], backends: ['reference'] });
    expect(report.results).toEqual([]);
    expect(report.omitted).toEqual([{ layer: 'big', batch: 1, backend: 'reference', reason: "skipped: 20.0 MFLOP a run is over reference's cap of 10.0 MFLOP (float64 JS loops, about 0.15 GFLOP/s)" }]);
    await expect(runBench(new BackendRegistry([referenceFactory]), { ...options, layers: [big], backends: ['nope'] })).rejects.toThrow(/^backend: unknown backend "nope"; known backends: reference$/);
  });

  it.each([
    [{ layers: 'all' }, /^layers: must be a list, got /],
    [{ layers: [{ name: 'x' }] }, /^layers\[0\]: must be a BenchLayer/],
    [{ batches: [1, 0] }, /^batches\[1\]: must be a positive integer, got 0$/],
    [{ timing: { ...once, maxRuns: 1.5 } }, /^timing\.maxRuns: must be a whole number ≥ 0, got 1\.5$/],
    [{ timing: { ...once, budgetMs: Number.NaN } }, /^timing\.budgetMs: must be a number ≥ 0, got NaN$/],
    [{ seed: 'one' }, /^seed: must be an integer, got /],
  ])('refuses bad options (%j) with LinearConvError naming the field, before any backend starts', async (bad, message) => {
    let started = false;
    const create = async () => {
      started = true;
      return referenceBackend();
    };
    const registry = new BackendRegistry([{ name: 'reference', create }]);
    const run = runBench(registry, { ...options, layers: tinyLayers(), backends: ['reference'], ...(bad as object) });
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toHaveProperty('name', 'LinearConvError');
    expect(started).toBe(false);
  });
});
