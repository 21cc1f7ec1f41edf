// @vitest-environment jsdom
import { LinearConvError, createRandom } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { type BenchReport, type BenchResult, type ConformanceReport, type LabeledResult, PALETTE, labeledResult, renderReproduction, renderResults } from './index.js';

/** Today's Node backends, as `linearconv bench --quick` lists them. */
const NODE_BACKENDS = ['reference', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu', 'onnx-wasm-compact', 'onnx-wasm-folded', 'onnx-node-compact', 'onnx-node-folded', 'webgpu'];
const LAYERS = ['resnet18/layer2.0.shortcut.conv', 'resnet18/layer4.0.conv1', 'mobilenetv2/layers.1.conv1', 'mobilenetv2/layers.1.conv2'];

/** A seeded bench report of the @3 shape: every backend but `unavailable` measured at every layer × batch, with the control. */
function benchReport(backends: readonly string[], seed: number, unavailable: string | null = null): BenchReport {
  const { next: random } = createRandom(seed);
  const batches = [1, 8];
  const results: BenchResult[] = [];
  for (const backend of backends) {
    if (backend === unavailable) continue;
    for (const layer of LAYERS) {
      for (const batch of batches) {
        const convMs = 0.1 + 10 * random();
        const row = (variant: BenchResult['variant'], ms: number): BenchResult => ({
          layer,
          batch,
          backend,
          variant,
          medianMs: ms,
          gflops: (batch * 1e6) / ms / 1e6,
          maxAbsError: backend === 'reference' ? 0 : 1e-7 * (1 + 9 * random()),
          ratioToConv: variant === 'conv' ? null : ms / convMs,
          runs: 5,
          adapter: `${backend} adapter`,
        });
        results.push(row('conv', convMs), row('linearconv', convMs * (0.8 + 0.4 * random())), row('control', convMs * (0.95 + 0.1 * random())));
      }
    }
  }
  return {
    format: 'linearconv-bench@3',
    command: 'linearconv bench --quick (test)',
    date: '2026-12-01T00:00:00.000Z',
    device: { runtime: 'node 20.20.0', platform: 'linux', cpus: 2, cpuModel: 'test cpu' },
    settings: { quick: true, backends, batches, budgetMs: 100, minRuns: 3, maxRuns: 10, warmup: 1, seed, flopCaps: {} },
    layers: LAYERS.map((name) => ({ name, shape: `shape of ${name}`, sameShape: [name], inChannels: 8, outChannels: 8, kernelSize: [3, 3], strides: [1, 1], groups: 1, inputSize: [8, 8], macs: 1e6 })),
    results,
    omitted: [],
    unavailable: unavailable ? [{ backend: unavailable, reason: 'no GPU adapter' }] : [],
    totalSeconds: 1,
  };
}

function conformance(backends: readonly string[]): ConformanceReport {
  const results = backends.flatMap((backend) =>
    ['filters', 'output', 'backward', 'correlation'].map((check, i) => ({
      case: 'case-a',
      backend,
      check: check as 'output',
      status: (i === 3 && backend === 'webgpu' ? 'skip' : 'pass') as 'pass' | 'skip',
      maxAbsError: i === 3 && backend === 'webgpu' ? null : 1e-6 * (i + 1),
      ...(i === 3 && backend === 'webgpu' && { reason: 'no correlation' }),
    })),
  );
  return { passed: results.filter((r) => r.status === 'pass').length, failed: 0, skipped: results.filter((r) => r.status === 'skip').length, results, unavailable: [] };
}

function render(results: LabeledResult[]): HTMLElement {
  const el = document.createElement('div');
  document.body.replaceChildren(el);
  renderResults(el, results);
  return el;
}

/** The backend names and colours of a chart's backend legend, in order. */
function legend(chart: Element): { name: string; colour: string }[] {
  return [...chart.querySelectorAll('[data-legend="backend"] [class$="-swatch"]')].map((swatch) => ({
    name: swatch.textContent!.trim(),
    colour: swatch.querySelector('svg')!.getAttribute('fill')!,
  }));
}

/** CIE L*a*b* of an sRGB hex colour (D65), for ΔE (CIE76). */
function lab(hex: string): [number, number, number] {
  const [r, g, b] = hex.match(/\w\w/g)!.map((c) => {
    const v = Number.parseInt(c, 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const xyz = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883];
  const f = (t: number) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  const [fx, fy, fz] = xyz.map(f);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

describe('renderResults', () => {
  const single: LabeledResult = { label: 'node', device: { runtime: 'node 20.20.0' }, bench: benchReport(NODE_BACKENDS, 1, 'tfjs-webgpu'), conformance: conformance(NODE_BACKENDS) };

  it('names every backend in every chart legend, the unavailable one too, in the order of the results', () => {
    const el = render([single]);
    const charts = [...el.querySelectorAll('figure.lc-chart')];
    expect(charts.map((c) => c.getAttribute('data-chart'))).toEqual(['ratio', 'gflops', 'errors']);
    for (const chart of charts) expect(legend(chart).map((l) => l.name)).toEqual(NODE_BACKENDS);
    // Each chart is drawn: an SVG with one geometric-mean dot per measured backend in the ratio chart.
    const measured = NODE_BACKENDS.filter((b) => b !== 'tfjs-webgpu');
    const ratio = charts[0].querySelector('svg.lc-plot')!;
    const labels = [...ratio.querySelectorAll('text')].map((t) => t.textContent);
    for (const backend of measured) {
      const ratios = single.bench!.results.filter((r) => r.backend === backend && r.variant === 'linearconv').map((r) => r.ratioToConv!);
      const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
      expect(labels).toContain(`×${geomean.toFixed(2)}`);
    }
  });

  it('gives every backend its own colour, far apart, the same in every chart, and draws its marks in it', () => {
    const el = render([single]);
    const charts = [...el.querySelectorAll('figure.lc-chart')];
    const colours = legend(charts[0]).map((l) => l.colour);
    expect(new Set(colours).size).toBe(NODE_BACKENDS.length);
    for (const chart of charts) expect(legend(chart).map((l) => l.colour)).toEqual(colours);
    // The gflops chart's dots of each backend are drawn in its legend colour.
    const dots = [...charts[1].querySelectorAll('svg.lc-plot circle')];
    const measured = NODE_BACKENDS.filter((b) => b !== 'tfjs-webgpu');
    expect(new Set(dots.map((d) => d.getAttribute('fill')))).toEqual(new Set(measured.map((b) => colours[NODE_BACKENDS.indexOf(b)])));
    // The whole palette: no two colours within ΔE 15 of each other (today's two near-identical reds were ~8 apart).
    for (let i = 0; i < PALETTE.length; i++) {
      for (let j = i + 1; j < PALETTE.length; j++) {
        const [a, b] = [lab(PALETTE[i]), lab(PALETTE[j])];
        expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]), `${PALETTE[i]} vs ${PALETTE[j]}`).toBeGreaterThan(15);
      }
    }
  });

  it('shows the adapter of each backend and why an unavailable one did not run', () => {
    const el = render([single]);
    const rows = [...el.querySelectorAll('table.lc-backends tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toContainEqual(['tfjs-webgpu', 'no', '–', 'no GPU adapter']);
    expect(rows).toContainEqual(['onnx-wasm-compact', 'yes', 'onnx-wasm-compact adapter', '']);
    const speed = [...el.querySelectorAll('table.lc-speed tbody tr')].map((tr) => tr.querySelectorAll('td')[1].textContent);
    expect(speed).toContain('webgpu adapter');
  });

  it('keeps the per-layer table in its own scrolling box', () => {
    const el = render([single]);
    const layers = el.querySelector('table.lc-layers')!;
    expect(layers.parentElement!.className).toBe('lc-scroll');
    const css = document.getElementById('linearconv-render-style')!.textContent!;
    expect(css).toMatch(/\.lc-scroll \{[^}]*max-width: 100%;[^}]*overflow-x: auto;/);
    expect(layers.querySelectorAll('tbody tr')).toHaveLength(LAYERS.length * 2);
  });

  it('puts several results side by side in the same tables and charts', () => {
    const browser: LabeledResult = {
      label: 'chromium',
      device: { runtime: 'Mozilla/5.0 HeadlessChrome', gpu: { vendor: 'google', architecture: 'swiftshader' }, webgl: { vendor: 'Google Inc.', renderer: 'ANGLE (SwiftShader)' } },
      backends: ['tfjs-webgl', 'webgpu'].map((name) => ({ name, available: true, adapter: `${name} on SwiftShader` })),
      bench: benchReport(['tfjs-webgl', 'webgpu'], 2),
    };
    const el = render([single, browser]);
    const names = [...NODE_BACKENDS, 'tfjs-webgl'];
    for (const chart of el.querySelectorAll('figure.lc-chart')) expect(legend(chart).map((l) => l.name)).toEqual(names);
    // webgpu ran on both: its two rows sit together, one per result.
    const speedRows = [...el.querySelectorAll('table.lc-speed tbody tr')].map((tr) => tr.querySelector('td')!.textContent);
    const webgpu = speedRows.indexOf('webgpu · node');
    expect(speedRows[webgpu + 1]).toBe('webgpu · chromium');
    expect(speedRows).toContain('tfjs-webgl · chromium');
    const devices = [...el.querySelectorAll('table.lc-devices tbody tr')].map((tr) => tr.querySelector('td')!.textContent);
    expect(devices).toEqual(['node', 'chromium']);
    // One column per backend and result in the per-layer table; a row per result and backend in the ratio chart.
    const columns = [...el.querySelectorAll('table.lc-layers thead th')].slice(3).map((th) => th.textContent);
    expect(columns).toHaveLength(NODE_BACKENDS.length - 1 + 2);
    expect(columns).toContain('webgpu · chromium');
    const ticks = [...el.querySelectorAll('figure[data-chart="ratio"] svg.lc-plot [aria-label="y-axis tick label"] text')].map((t) => t.textContent);
    expect(ticks).toContain('webgpu · node');
    expect(ticks).toContain('webgpu · chromium');
    // Each result has its own symbol in the GFLOP/s chart, named in a second legend.
    const symbols = [...el.querySelectorAll('figure[data-chart="gflops"] [data-legend="result"] [class$="-swatch"]')].map((s) => s.textContent!.trim());
    expect(symbols).toEqual(['node', 'chromium']);
  });
  it("says what the control showed, and that an @1 report has none", () => {
    const el = render([single]);
    const notes = [...el.querySelectorAll('p.lc-control')].map((p) => p.textContent);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^Control: each case also times a second copy of the plain conv/);
    const bench = single.bench!;
    const v1 = labeledResult({ ...bench, format: 'linearconv-bench@1', results: bench.results.filter((r) => r.variant !== 'control') }, 'v1.json');
    const old = [...render([v1]).querySelectorAll('p.lc-control')].map((p) => p.textContent);
    expect(old).toEqual(['No control was measured in v1.json (a linearconv-bench@1 report): how much of each ratio is noise is not known.']);
  });

  it('counts pass / fail / skip per check and lists every failure with its reason', () => {
    const report = conformance(['webgpu', 'tfjs-cpu']);
    const failed = { ...report, results: report.results.map((r) => (r.backend === 'tfjs-cpu' && r.check === 'output' ? { ...r, status: 'fail' as const, reason: 'max error 1e-2 over 1e-4' } : r)) };
    const el = render([{ label: 'x', device: { runtime: 'node' }, conformance: failed }]);
    const rows = [...el.querySelectorAll('table.lc-conformance tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toEqual([
      ['webgpu', '1 / 0 / 0', '1 / 0 / 0', '1 / 0 / 0', '0 / 0 / 1', '3.0e-6'],
      ['tfjs-cpu', '1 / 0 / 0', '0 / 1 / 0', '1 / 0 / 0', '1 / 0 / 0', '4.0e-6'],
    ]);
    expect([...el.querySelectorAll('ul.lc-failures li')].map((li) => li.textContent)).toEqual(['tfjs-cpu: case-a / output: max error 1e-2 over 1e-4']);
  });
});

describe('labeledResult', () => {
  it('reads bench reports of every format, lab results and conformance reports', () => {
    const bench = benchReport(['reference'], 3);
    const { device: _, ...old } = bench;
    const v1 = labeledResult({ ...old, format: 'linearconv-bench@1', machine: { cpu: 'cpu', cores: 4, node: 'v20.20.0', platform: 'linux 6', loadAverage: [1, 2] } }, 'old.json');
    expect(v1.device).toEqual({ runtime: 'node v20.20.0', platform: 'linux 6', cpus: 4, cpuModel: 'cpu', loadAverage: [1, 2] });
    expect(labeledResult(bench, 'b').bench).toBe(bench);
    const lab = labeledResult({ format: 'linearconv-lab@1', device: { runtime: 'ua' }, backends: [], conformance: conformance(['webgpu']), bench }, 'lab.json');
    expect(lab.conformance!.results).toHaveLength(4);
    expect(labeledResult(conformance(['webgpu']), 'c.json').conformance!.passed).toBe(3);
  });

  it('refuses what is not a result, naming the file', () => {
    for (const bad of [null, [], 3, { format: 'linearconv-bench@9', results: [] }, { hello: 1 }]) {
      expect(() => labeledResult(bad, 'x.json')).toThrow(LinearConvError);
      expect(() => labeledResult(bad, 'x.json')).toThrow(/^x\.json/);
    }
  });
});

describe('renderReproduction', () => {
  const results = {
    kind: 'smoke' as const,
    chance: { fashion: 11.8 },
    settings: { seeds: [1, 2], stepsPerRun: 20 },
    summary: [
      { dataset: 'fashion', variant: 'conv', params: 399626, accuracy: { mean: 80.5, sd: null }, deltaVsConv: null, paper: { accuracy: 93.5 } },
      { dataset: 'fashion', variant: 'LRr', params: 210458, accuracy: { mean: 78, sd: 0.5 }, deltaVsConv: { mean: -2.5, sd: 0.25 }, paper: { delta: -0.8 } },
    ],
    runs: [1, 2].flatMap((seed) =>
      ['conv', 'LRr'].map((variant) => ({ dataset: 'fashion', variant, seed, correlation: { layer: 'conv2', primaries: { filters: 3, matrix: [1, 0.2, 0.3, 0.2, 1, 0.1, 0.3, 0.1, 1], meanAbs: 0.2 } } })),
    ),
  };

  it('shows a smoke run against chance, and a heatmap of each first-seed run', () => {
    const el = document.createElement('div');
    renderReproduction(el, results);
    expect(el.querySelector('h2')!.textContent).toBe('Training smoke run (not paper parity): Conv, -L, -Lr and -LRr');
    const rows = [...el.querySelectorAll('table tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows[1]).toEqual(['fashion', 'LRr', '210,458', '78.00 ± 0.50', '11.80']);
    expect(el.textContent).not.toMatch(/Δ|93\.5/);
    const maps = [...el.querySelectorAll('.lc-heatmap-figure')];
    expect(maps.map((m) => m.getAttribute('data-run'))).toEqual(['fashion-conv', 'fashion-LRr']);
    for (const map of maps) expect(map.querySelectorAll('svg rect')).toHaveLength(9);
  });

  it('shows a parity run against Conv and the paper', () => {
    const el = document.createElement('div');
    const { kind: _, ...parity } = results;
    renderReproduction(el, parity);
    const rows = [...el.querySelectorAll('table tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows[1]).toEqual(['fashion', 'LRr', '210,458', '78.00 ± 0.50', '−2.50 ± 0.25', '−0.8']);
    expect(rows[0][5]).toBe('93.5 %');
  });

  it('shows the table that benchmarks wrote into results.json as it is', () => {
    const el = document.createElement('div');
    const table = { header: ['dataset', 'model', 'test acc %'], rows: [['fashion', 'Base', '80.50'], ['fashion', 'Base-LRr', '78.00 ± 0.50']] };
    renderReproduction(el, { ...results, table });
    expect([...el.querySelectorAll('table thead th')].map((th) => th.textContent)).toEqual(table.header);
    expect([...el.querySelectorAll('table tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))).toEqual(table.rows);
  });
});
