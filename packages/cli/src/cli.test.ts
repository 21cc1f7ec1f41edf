import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { committedCasesDir } from '@linearconv/conformance/node';
import { modelAccount, zooModel, zooModels } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/linearconv.js');

describe('linearconv params', () => {
  it.each(zooModels)('--model %s --json gives the total trainable parameters and the layers', async (model) => {
    for (const [variant, zooVariant] of [['conv', 'conv'], ['full', 'full'], ['lowrank', 'lowRank']] as const) {
      const { code, out } = await cli('params', '--model', model, '--variant', variant, '--json');
      expect(code).toBe(0);
      const report = JSON.parse(out);
      expect(report).toMatchObject({ model, variant });
      expect(report.params).toBe(modelAccount(zooModel(model, { variant: zooVariant }).nodes).total.params);
      expect(report.layers.length).toBeGreaterThan(3);
    }
  });

  it('prints every model next to the paper, all matching', async () => {
    const { code, out } = await cli('params');
    expect(code).toBe(0);
    expect(out).toMatch(/vgg11 +-Lr \(full\) +4922282 +4\.92 +4\.92 +yes/);
    expect(out).not.toMatch(/\bNO\b/);
    const json = JSON.parse((await cli('params', '--json')).out);
    expect(json.models).toHaveLength(18);
  });

  it('takes a rank, and flags ranks that gain nothing', async () => {
    const r4 = JSON.parse((await cli('params', '--model', 'base', '--variant', 'lowrank', '--rank', '4', '--json')).out);
    const r10 = JSON.parse((await cli('params', '--model', 'base', '--variant', 'lowrank', '--json')).out);
    expect(r4.rank).toBe(4);
    expect(r4.params).toBeLessThan(r10.params);
    const { out } = await cli('params', '--model', 'mobilenetv2', '--variant', 'lowrank');
    expect(out).toMatch(/note: layers\.0\.conv3: rank 10 exceeds min\(p, F − p\) = 8/);
  });

  it.each([
    [['params', '--model', 'alexnet'], /model: must be one of base, vgg11/],
    [['params', '--model', 'base', '--variant', 'sparse'], /--variant must be one of conv, full, lowrank/],
    [['params', '--model', 'base', '--rank', '3'], /--rank applies to --variant lowrank only/],
    [['params', '--model', 'base', '--variant', 'lowrank', '--rank', '0'], /--rank must be a positive integer/],
    [['params', '--modle', 'base'], /Unknown option '--modle'/],
    [['frobnicate'], /unknown command "frobnicate"; known commands: params, conformance, export, import-torch, bench, report/],
  ])('rejects %j with exit 2 and one clear line', async (argv, message) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('linearconv conformance', () => {
  it('runs every committed case on the reference backend and reports JSON', async () => {
    const { code, out } = await cli('conformance', '--backend', 'reference', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(report.results.length);
    expect(report.passed).toBeGreaterThanOrEqual(30 * 3);
    const first = report.results[0];
    expect(Object.keys(first).sort()).toEqual(['backend', 'case', 'check', 'maxAbsError', 'status']);
    expect(new Set(report.results.map((r: { check: string }) => r.check))).toEqual(
      new Set(['filters', 'output', 'correlation', 'backward']),
    );
  });

  it('runs every known backend by default; what one cannot do is skipped with its reason', async () => {
    const { code, out } = await cli('conformance', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    const backends = new Set(report.results.map((r: { backend: string }) => r.backend));
    expect([...backends]).toEqual([
      'reference',
      'tfjs-cpu',
      'tfjs-wasm',
      'tfjs-webgpu',
      'onnx-wasm-compact',
      'onnx-wasm-folded',
      'onnx-node-compact',
      'onnx-node-folded',
      'webgpu',
    ]);
    expect(report.failed).toBe(0);
    expect(report.unavailable).toEqual([]);
    for (const r of report.results.filter((r: { status: string }) => r.status === 'skip')) expect(r.reason).toMatch(/\w/);
    expect(report.passed + report.skipped).toBe(report.results.length);
    // Nine backends, the WebGPU ones on a software Vulkan driver: slow while other test files run too.
  }, 240_000);

  it('prints a table and the summary line', async () => {
    const { code, out } = await cli('conformance', '--backend', 'reference', '--cases', join(committedCasesDir, 'hand-2x2-ones.json'));
    expect(code).toBe(0);
    expect(out).toMatch(/hand-2x2-ones +reference +pass 0 +pass 0 +pass 0 +pass 0/);
    expect(out.trim().split('\n').at(-1)).toBe('4 passed, 0 failed');
  });

  it('exits 1 when a check fails, naming the case and the value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cases-'));
    const doc = JSON.parse(readFileSync(join(committedCasesDir, 'hand-2x2-ones.json'), 'utf8'));
    doc.expected.output.data[2] = 24.6;
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify(doc));
    copyFileSync(join(committedCasesDir, 'odd-f7.json'), join(dir, 'odd-f7.json'));
    const { code, out } = await cli('conformance', '--cases', dir, '--backend', 'reference', '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.failed).toBe(1);
    expect(report.results.find((r: { status: string }) => r.status === 'fail')).toMatchObject({
      case: 'hand-2x2-ones',
      backend: 'reference',
      check: 'output',
      reason: expect.stringMatching(/value 2 is 24\.5, expected 24\.6/),
    });
  });

  it('exits 2 on a malformed case, naming the file, the member and the rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cases-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ format: 'linearconv-case@1', name: 'bad', layer: { inChannels: 2 } }));
    const { code, err } = await cli('conformance', '--cases', file);
    expect(code).toBe(2);
    expect(err).toContain(`${file}: layer.outChannels: is required`);
  });

  it('exits 2 on an unknown backend, listing the known ones', async () => {
    const { code, err } = await cli('conformance', '--backend', 'tfjs-gpu');
    expect(code).toBe(2);
    expect(err).toMatch(/unknown backend "tfjs-gpu"; known backends: reference/);
  });

  it('works as a real process: exit codes and no stack trace', () => {
    const ok = execFileSync(process.execPath, [bin, 'params', '--model', 'base', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(ok).params).toBe(399626);
    const bad = spawnSync(process.execPath, [bin, 'conformance', '--cases', '/nonexistent'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('linearconv conformance: /nonexistent: (file): does not exist\n');
  });
});
