import type { CheckResult } from '@linearconv/conformance';
import type { BenchResult } from '@linearconv/conformance/bench';
import { describe, expect, it } from 'vitest';
import { recommend } from './recommend.js';
import type { LabBackend } from './result.js';

const check = (backend: string, status: CheckResult['status']): CheckResult => ({ case: 'c', backend, check: 'output', status, maxAbsError: 0, reason: '' }) as CheckResult;

/** conv, linearconv and control rows of one case, from the medians given. */
function rows(backend: string, layer: string, conv: number, linear: number, control: number): BenchResult[] {
  const row = (variant: BenchResult['variant'], ms: number): BenchResult => ({
    layer,
    batch: 1,
    backend,
    variant,
    medianMs: ms,
    gflops: 1 / ms,
    maxAbsError: 0,
    ratioToConv: variant === 'conv' ? null : ms / conv,
    runs: 5,
  });
  return [row('conv', conv), row('linearconv', linear), row('control', control)];
}

const up = (name: string, adapter?: string): LabBackend => ({ name, available: true, ...(adapter && { adapter }) });

describe('recommend', () => {
  const backends: LabBackend[] = [
    up('tfjs-cpu'),
    up('tfjs-webgl'),
    up('tfjs-webgpu'),
    { name: 'tfjs-wasm', available: false, reason: 'no wasm here' },
    up('onnx-web-wasm-compact'),
    up('onnx-web-wasm-folded'),
    up('webgpu'),
  ];
  const conformance = {
    results: [
      ...['tfjs-cpu', 'tfjs-webgl', 'onnx-web-wasm-compact', 'onnx-web-wasm-folded', 'webgpu'].map((b) => check(b, 'pass')),
      check('tfjs-webgpu', 'pass'),
      check('tfjs-webgpu', 'fail'),
      check('tfjs-webgpu', 'fail'),
      check('tfjs-wasm', 'skip'),
    ],
  };
  const bench = {
    results: [
      ...rows('tfjs-cpu', 'a', 10, 12, 10),
      ...rows('tfjs-cpu', 'b', 20, 22, 21),
      ...rows('tfjs-webgl', 'a', 2, 2, 2),
      ...rows('tfjs-webgl', 'b', 4, 5, 4),
      // The fastest of all, but it failed two checks: never recommended.
      ...rows('tfjs-webgpu', 'a', 0.5, 0.5, 0.5),
      ...rows('onnx-web-wasm-compact', 'a', 3, 4, 3),
      ...rows('onnx-web-wasm-folded', 'a', 3, 3, 3),
    ],
  };

  it('picks, per framework, the fastest backend among those that started and passed', () => {
    const [tfjs, onnx, webgpu] = recommend({ backends, conformance, bench });
    expect(tfjs.backend).toBe('tfjs-webgl');
    // Geometric means over the two layers: LinearConv ÷ conv is 2/2 and 5/4.
    expect(tfjs.linearConvCost).toBeCloseTo(Math.sqrt((2 / 2) * (5 / 4)), 12);
    expect(tfjs.controlCost).toBeCloseTo(1, 12);
    expect(tfjs.medianMs).toBeCloseTo(Math.sqrt(2 * 5), 12);
    expect(tfjs.text).toBe(`tfjs: use webgl here, LinearConv costs ×${Math.sqrt(1.25).toFixed(2)} of a plain conv (control ×1.00)`);
    expect(Object.fromEntries(tfjs.others.map((o) => [o.backend, o.why]))).toEqual({
      'tfjs-wasm': 'unavailable: no wasm here',
      'tfjs-webgpu': '2 conformance checks failed',
      'tfjs-cpu': `correct, ×${(Math.sqrt(12 * 22) / Math.sqrt(10)).toFixed(2)} the time of the pick`,
    });

    expect(onnx.backend).toBe('onnx-web-wasm-folded');
    expect(onnx.text).toBe('ONNX: use wasm EP (folded model) here, LinearConv costs ×1.00 of a plain conv (control ×1.00)');
    expect(onnx.others).toEqual([{ backend: 'onnx-web-wasm-compact', why: 'correct, ×1.33 the time of the pick' }]);

    // Correct, but the bench did not measure it.
    expect(webgpu).toMatchObject({ backend: 'webgpu', linearConvCost: null, text: 'raw WebGPU: use webgpu here (correct; speed not measured)' });
  });

  it('compares only on the cases every candidate measured', () => {
    // cpu measured layer b too (slow); webgl did not: on the shared layer a, cpu is faster.
    const results = [...rows('tfjs-cpu', 'a', 1, 1, 1), ...rows('tfjs-cpu', 'b', 100, 100, 100), ...rows('tfjs-webgl', 'a', 3, 3, 3)];
    const [tfjs] = recommend({ backends: [up('tfjs-cpu'), up('tfjs-webgl')], conformance: { results: [check('tfjs-cpu', 'pass'), check('tfjs-webgl', 'pass')] }, bench: { results } });
    expect(tfjs.backend).toBe('tfjs-cpu');
    expect(tfjs.medianMs).toBe(1);
  });

  it('says so when nothing of a framework is usable or was run', () => {
    const [tfjs, onnx] = recommend({ backends: [{ name: 'tfjs-cpu', available: false, reason: 'x' }, up('tfjs-wasm')], conformance: { results: [check('tfjs-wasm', 'skip')] } });
    expect(tfjs).toMatchObject({ backend: null, text: 'tfjs: none of its backends is usable here' });
    expect(tfjs.others.map((o) => o.why)).toEqual(['unavailable: x', 'no conformance check ran']);
    expect(onnx.text).toBe('ONNX: no backend of it was run here');
  });

  it('leaves its input alone', () => {
    const input = { backends, conformance, bench };
    const copy = structuredClone(input);
    recommend(input);
    expect(input).toEqual(copy);
  });
});
