import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelAccount, zooModel } from '@linearconv/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMOKE_NOTE } from './report.js';
import { type BenchResult, PYTHON, runTrainBench } from './run.js';
import type { Row } from './summary.js';

// Tiny steps (Base at batch 2): this checks the worker protocol end to end, not speed.
const main = fileURLToPath(new URL('../../dist/train-bench/main.js', import.meta.url));
const torchCheck = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const torchReason = torchCheck.error ? `${PYTHON}: ${torchCheck.error.message}` : torchCheck.status !== 0 ? `import torch fails in ${PYTHON}` : undefined;
const params = (variant: 'conv' | 'full') => modelAccount(zooModel('base', { variant, inputShape: [1, 32, 32] }).nodes).total.params;

describe('bench:train end to end (smoke)', () => {
  let result: BenchResult & { command: string };
  let stdout: string;
  let out: string;
  const row = (configuration: string, variant: Row['variant']) => {
    const [framework, backend, threads] = configuration.split('-');
    return result.results.find((r) => r.framework === framework && r.backend === backend && r.threads === Number(threads) && r.variant === variant)!;
  };
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'train-bench-'));
    const args = ['--json', '--quick', '--configs', 'tfjs-wasm-1,tfjs-wasm-2,pytorch-cpu-1', '--models', 'base', '--batch', '2', '--steps', '2', '--warmup', '1', '--profile', '--out', out];
    const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 50_000 });
    expect(r.stderr).toContain(`--quick: ${SMOKE_NOTE}`);
    expect(r.status, r.stderr).toBe(0);
    stdout = r.stdout;
    result = JSON.parse(stdout);
  }, 55_000);

  it('times every tfjs-wasm-1 row with the models core counts', () => {
    expect(result.smoke).toBe(true);
    expect(result.results).toHaveLength(6);
    for (const [variant, zoo] of [['conv', 'conv'], ['linearconv', 'full']] as const) {
      const r = row('tfjs-wasm-1', variant);
      expect(r).toMatchObject({ model: 'base', batch: 2, steps: 2, params: params(zoo) });
      expect(r.status).toBeUndefined();
      expect(r.stepMs).toBeGreaterThan(0);
      expect(r.minMs!).toBeLessThanOrEqual(r.stepMs!);
      expect(r.maxMs!).toBeGreaterThanOrEqual(r.stepMs!);
      expect(r.imagesPerSecond).toBeCloseTo(2000 / r.stepMs!, 6);
    }
    expect(result.ratios.linearconvOverConv.find((x) => x.framework === 'tfjs' && x.threads === 1)?.ratio).toBeCloseTo(row('tfjs-wasm-1', 'linearconv').stepMs! / row('tfjs-wasm-1', 'conv').stepMs!, 9);
    expect(result.loadAverage.start).toHaveLength(3);
    expect(result.loadAverage.end).toHaveLength(3);
  });

  it('--profile: one profiled step of each tfjs-wasm row, its kernels summed, slowest first', () => {
    expect(result.profiles?.map((p) => `${p.configuration} ${p.variant}`)).toEqual(['tfjs-wasm-1 conv', 'tfjs-wasm-1 linearconv', 'tfjs-wasm-2 conv', 'tfjs-wasm-2 linearconv']);
    for (const p of result.profiles!) {
      const names = p.kernels.map((k) => k.name);
      expect(names).toContain('Conv2DBackpropFilter');
      expect(names.some((n) => n.endsWith('__op'))).toBe(false);
      expect(p.kernels.find((k) => k.name === 'MaxPoolGrad')?.calls).toBe(4);
      expect(p.kernelMs).toBeCloseTo(p.kernels.reduce((s, k) => s + k.ms, 0), 6);
      for (let i = 1; i < p.kernels.length; i++) expect(p.kernels[i].ms).toBeLessThanOrEqual(p.kernels[i - 1].ms);
    }
  });

  it('times tfjs-wasm at 2 threads', () => {
    expect(row('tfjs-wasm-2', 'conv')).toMatchObject({ threads: 2, steps: 2, params: params('conv') });
  });

  it.skipIf(torchReason !== undefined)(`times PyTorch with the same parameter counts${torchReason ? ` (skipped: ${torchReason})` : ''}`, () => {
    for (const [variant, zoo] of [['conv', 'conv'], ['linearconv', 'full']] as const) {
      const r = row('pytorch-cpu-1', variant);
      expect(r).toMatchObject({ steps: 2, params: params(zoo) });
      expect(r.stepMs).toBeGreaterThan(0);
      const ratio = result.ratios.tfjsWasmOverPytorch.find((x) => x.variant === variant && x.threads === 1)!;
      expect(ratio.ratio).toBeCloseTo(row('tfjs-wasm-1', variant).stepMs! / r.stepMs!, 9);
    }
    expect(result.versions['pytorch-cpu-1']?.torch).toMatch(/^\d+\./);
  });

  it('writes the same JSON and the markdown, marked as a smoke run', async () => {
    expect(JSON.parse(await readFile(join(out, 'train-bench.json'), 'utf8'))).toEqual(result);
    const md = await readFile(join(out, 'train-bench.md'), 'utf8');
    expect(md).toContain(`(${SMOKE_NOTE})`);
    expect(md).toContain('| tfjs | wasm | 1 | base | Conv |');
    expect(md).toMatch(/Trainable parameters: base Conv: [\d,]+ in tfjs/);
    expect(md).toContain('tfjs-wasm-1, base LinearConv: kernels');
  });
});

describe('bench:train without PyTorch', () => {
  it('a missing interpreter makes the PyTorch rows absent, with the reason', async () => {
    const result = await runTrainBench({ models: ['base'], configurations: ['pytorch-cpu-2'], steps: 1, warmup: 0, batch: 2, quick: true, all: false, profile: false, seed: 1, python: '/nonexistent/python3' });
    expect(result.results).toHaveLength(2);
    for (const r of result.results) {
      expect(r).toMatchObject({ framework: 'pytorch', threads: 2, status: 'absent', stepMs: null, steps: 0 });
      expect(r.reason).toContain('cannot run /nonexistent/python3');
    }
    expect(result.ratios).toEqual({ tfjsWasmOverPytorch: [], linearconvOverConv: [] });
  });
});
