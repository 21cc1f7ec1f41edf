import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackendFactory, BackendRegistry, referenceFactory } from '@linearconv/conformance';
import { type BenchReport, type BenchResult, QUICK_LAYERS, runBench } from '@linearconv/conformance/bench';
import { nodeDevice } from '@linearconv/conformance/node';
import { describe, expect, it } from 'vitest';
import { knownBackends } from './backends.js';
import { controlNotes } from './bench/control.js';
import { benchMarkdown } from './bench/markdown.js';
import { benchNotes } from './bench/notes.js';
import { barLine, benchProgress } from './bench/progress-bar.js';
import { REPORT_DATA_ID } from './report/page.js';
import { cli, tinyLayers } from './test-support/bench-fixtures.js';

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
    expect(report.format).toBe('linearconv-bench@3');
    expect(report.settings).toMatchObject({ quick: true, batches: [1], backends: ['reference', 'tfjs-wasm'] });
    // Where it ran: the harness's device, and the machine of @1 and @2 beside it.
    const here = nodeDevice();
    expect(report.device).toMatchObject({ runtime: here.runtime, platform: here.platform, cpus: here.cpus, cpuModel: here.cpuModel });
    expect(report.machine).toMatchObject({ cores: here.cpus, node: process.version, platform: here.platform });
    for (const r of report.results) {
      // `adapter` only where the backend names what it runs on.
      expect(Object.keys(r).filter((k) => k !== 'adapter').sort()).toEqual(['backend', 'batch', 'gflops', 'layer', 'maxAbsError', 'medianMs', 'ratioToConv', 'runs', 'variant']);
      if ('adapter' in r) expect(typeof r.adapter).toBe('string');
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
        // The control is the same plain conv again: the same output, the same number of runs.
        if (r.variant === 'control') expect([r.maxAbsError, r.runs]).toEqual([conv.maxAbsError, conv.runs]);
      }
    }
    // Every case is measured (conv, linearconv, control) or omitted with its reason; the reference skips the 3×3 conv.
    for (const backend of ['reference', 'tfjs-wasm']) {
      for (const layer of QUICK_LAYERS) {
        const rows = report.results.filter((r) => r.backend === backend && r.layer === layer);
        const omitted = report.omitted.filter((o) => o.backend === backend && o.layer === layer);
        expect(rows.length === 3 ? omitted.length : rows.length + omitted.length, `${backend} ${layer}`).toBe(rows.length === 3 ? 0 : 1);
        if (rows.length === 3) expect(rows.map((r) => r.variant)).toEqual(['conv', 'linearconv', 'control']);
      }
    }
    expect(report.omitted).toEqual([
      { layer: 'resnet18/layer4.0.conv1', batch: 1, backend: 'reference', reason: expect.stringMatching(/^skipped: 37\.7 MFLOP a run is over reference's cap/) },
    ]);
    expect(report.results.filter((r) => r.backend === 'tfjs-wasm')).toHaveLength(3 * QUICK_LAYERS.length);
    // Progress, not on a terminal: one plain line per case on stderr, with the control's ratio; no bar.
    const lines = err.split('\n').filter((l) => /^\[\d\/8\] /.test(l));
    expect(lines).toHaveLength(8);
    for (const line of lines.filter((l) => !l.includes('skipped'))) expect(line).toMatch(/ \(×[\d.]+, control ×[\d.]+\), /);
    expect(['\r', '\x1b'].filter((c) => err.includes(c))).toEqual([]);

    expect(JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'))).toEqual(report);
    const md = readFileSync(join(out, 'bench.md'), 'utf8');
    expect(md).toContain('| layer | shape | batch | reference | tfjs-wasm |');
    expect(md).toContain('| backend | cases measured | linearconv/conv (geomean) | at batch 1 | range | control (range) |');
    // A quick run says so, and what the control showed.
    expect(md).toContain('Quick run (--quick): each case is timed for about 600 ms in all (at least 5 runs each)');
    expect(md).toMatch(/Control: each case also times a second copy of the plain conv/);
    expect(md).toMatch(/\| resnet18\/layer4\.0\.conv1 \| 256→512 3×3 s2 @8×8 \| 1 \| skipped \| [\d.]+ \(×[\d.]+\) \|/);
  });

  it('prints the table with skipped cells and their reasons, and a line per backend', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const { code, out: stdout } = await cli('bench', '--backend', 'reference', '--layer', 'mobilenetv2/layers.1.conv2', '--layer', 'resnet18/conv1', '--batch', '1', '--batch', '32', '--out', out);
    expect(code).toBe(0);
    // conv ms, linearconv ms, ratio, control, GFLOP/s, max error.
    expect(stdout).toMatch(/mobilenetv2\/layers\.1\.conv2 +96 dw 3×3 s1 @32×32 +1 +reference +[\d.]+ +[\d.]+ +×[\d.]+ +×[\d.]+ +[\d.]+ +0\n/);
    expect(stdout).toMatch(/resnet18\/conv1 +3→64 3×3 s1 @32×32 +32 +reference +skipped: 113\.2 MFLOP a run is over reference's cap of 10\.0 MFLOP/);
    // measured, skipped, failed, the ratio's geomean, at batch 1, at batch 32 (none measured), range, control range, GFLOP/s, max error.
    expect(stdout).toMatch(/\nreference +2 +2 +0 +×[\d.]+ +×[\d.]+ +– +×[\d.]+–×[\d.]+ +×[\d.]+–×[\d.]+ +[\d.]+ +0\n/);
    // Then the control's verdict, and no quick-run note.
    expect(stdout).toMatch(/\nControl: each case also times a second copy of the plain conv in the same rounds;.*\nIt (stayed within ±5 % on every backend|strayed beyond ±5 % on 1 of 1 backends \(reference ×[\d.]+–×[\d.]+\))/);
    expect(stdout).not.toContain('Quick run');
  });

  it('writes into ./linearconv-bench/ of the working directory by default, and the report reads and writes there', async () => {
    const cwd = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'bench-cwd-'));
    try {
      process.chdir(dir);
      const bench = await cli('bench', '--backend', 'reference', '--layer', 'mobilenetv2/layers.1.conv2', '--batch', '1');
      expect(bench.code, bench.err).toBe(0);
      expect(bench.out).toContain(`wrote ${join('linearconv-bench', 'bench.json')}, ${join('linearconv-bench', 'bench.md')}`);
      const report = await cli('report');
      expect(report.code, report.err).toBe(0);
      expect(report.out).toContain(`wrote ${join('linearconv-bench', 'report.html')}`);
      const html = readFileSync(join(dir, 'linearconv-bench', 'report.html'), 'utf8');
      // The page's data: this bench.json as written, and no training results (none were asked for).
      const data = JSON.parse(html.match(new RegExp(`<script type="application/json" id="${REPORT_DATA_ID}">(.*?)</script>`, 's'))![1]);
      expect(data.title).toBe('linearconv: speed');
      expect(data.reproduce).toBeUndefined();
      expect(data.results.map((r: { value: BenchReport }) => r.value)).toEqual([JSON.parse(readFileSync(join(dir, 'linearconv-bench', 'bench.json'), 'utf8'))]);
      expect(existsSync(join(dir, 'benchmarks'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
    for (const command of ['bench', 'report']) expect((await cli(command, '--help')).out).toContain('./linearconv-bench/');
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

describe('runBench from the CLI', () => {
  it('lists a backend that cannot start in bench.md and describes a browser device in the notes', async () => {
    const broken: BackendFactory = {
      name: 'broken',
      create: async () => {
        throw new Error('no device here');
      },
    };
    const registry = new BackendRegistry([referenceFactory, broken]);
    const device = { runtime: 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome', gpu: { vendor: 'google', architecture: 'swiftshader' } };
    const report = await runBench(registry, { ...options, layers: tinyLayers(), backends: ['broken', 'reference'], device });
    expect(benchMarkdown(report)).toContain('| broken | unavailable: no device here |');
    expect(benchNotes(report)[0]).toBe('Machine: Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome; GPU: google swiftshader.');
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
      expect(rows, backend).toHaveLength(tinyLayers().length * 2 * 3);
      for (const r of rows) expect(r.maxAbsError, `${backend} ${r.layer} ${r.variant} batch ${r.batch}`).toBeLessThan(tolerance(backend));
    }
  });
});

/** Results of one backend whose cases have these control ratios (the conv at 1 ms, LinearConv at ×1). */
function rowsWithControls(backend: string, controls: readonly number[]): BenchResult[] {
  return controls.flatMap((ratio, i) => {
    const row = { layer: `l${i}`, batch: 1, backend, gflops: 1, maxAbsError: 0, runs: 3 };
    return [
      { ...row, variant: 'conv', medianMs: 1, ratioToConv: null },
      { ...row, variant: 'linearconv', medianMs: 1, ratioToConv: 1 },
      { ...row, variant: 'control', medianMs: ratio, ratioToConv: ratio },
    ] as const;
  });
}

describe('controlNotes', () => {
  const settings = { quick: false, backends: ['steady', 'noisy'], batches: [1], seed: 1, warmup: 2, minRuns: 3, maxRuns: 20, budgetMs: 150, flopCaps: {} };
  const empty = { omitted: [], unavailable: [] };

  it('names the backends whose control strayed beyond ±5 %, with its range', () => {
    const results = [...rowsWithControls('steady', [1.01, 0.96, 1.05]), ...rowsWithControls('noisy', [1.02, 2.95, 0.9])];
    expect(controlNotes({ ...empty, settings, results })).toEqual([
      'Control: each case also times a second copy of the plain conv in the same rounds; without noise its ratio to the conv would be ×1.00.',
      "It strayed beyond ±5 % on 1 of 2 backends (noisy ×0.90–×2.95): there the measurement is too noisy for its linearconv/conv ratios to tell the layers apart. Within ±5 %: steady.",
    ]);
  });

  it('says when the control stayed within ±5 % everywhere, and that a quick run is a check, not a measurement', () => {
    const results = [...rowsWithControls('steady', [1.01, 0.96]), ...rowsWithControls('noisy', [1.04])];
    const notes = controlNotes({ ...empty, settings: { ...settings, quick: true }, results });
    expect(notes[1]).toBe('It stayed within ±5 % on every backend (×0.96–×1.04): the linearconv/conv ratios are resolved to about ±5 %.');
    expect(notes[2]).toMatch(/^Quick run \(--quick\): each case is timed for about 150 ms in all \(at least 3 runs each\)\. The control stayed within ±5 % this time, but/);
    const noisy = controlNotes({ ...empty, settings: { ...settings, quick: true }, results: rowsWithControls('noisy', [1.3]) });
    expect(noisy.at(-1)).toMatch(/not a speed measurement: where the control strayed, its speed figures are noise\. Run linearconv bench without --quick/);
  });

  it('says that a report from before the control has none', () => {
    const results = rowsWithControls('steady', [1]).filter((r) => r.variant !== 'control');
    expect(controlNotes({ ...empty, settings, results })).toEqual(['No control was measured (a linearconv-bench@1 report): how much of each ratio is noise is not known.']);
  });
});

describe('benchProgress', () => {
  it('on a terminal: the lines scroll above one bar, redrawn in place, cleared at the end', () => {
    let out = '';
    let t = 0;
    const progress = benchProgress(() => expect.unreachable('lines go to the terminal'), { columns: 200, write: (text: string) => (out += text) }, () => t);
    progress.start(0, 4, 'reference tiny/a batch 1');
    t = 10_000;
    progress.line('[1/4] reference tiny/a batch 1: done');
    progress.start(1, 4, 'reference tiny/b batch 1');
    progress.stop();
    const clear = '\r\x1b[K';
    const first = barLine(0, 4, 'reference tiny/a batch 1', 0);
    const second = barLine(1, 4, 'reference tiny/b batch 1', 10);
    expect(out).toBe(`${clear}${first}${clear}[1/4] reference tiny/a batch 1: done\n${first}${clear}${second}${clear}`);
    expect(second).toBe(`[######..................] 1/4  25 % 0:10 elapsed, ETA 0:30  reference tiny/b batch 1`);
    expect(barLine(0, 4, 'x', 0)).toContain('ETA –');
  });

  it('keeps the bar inside the terminal, so that it can be redrawn', () => {
    let out = '';
    benchProgress(() => {}, { columns: 30, write: (text: string) => (out += text) }).start(3, 10, 'a long description of the case');
    expect(out.replace('\r\x1b[K', '')).toHaveLength(29);
  });

  it('elsewhere: the lines only', () => {
    const lines: string[] = [];
    const progress = benchProgress((line) => lines.push(line));
    progress.start(0, 2, 'x');
    progress.line('one');
    progress.stop();
    expect(lines).toEqual(['one']);
  });
});
