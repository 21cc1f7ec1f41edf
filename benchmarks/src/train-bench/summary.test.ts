import { describe, expect, it } from 'vitest';
import { absentRow, measuredRow, type RowKey, ratios } from './summary.js';

const key = (over: Partial<RowKey>): RowKey => ({ framework: 'tfjs', backend: 'wasm', threads: 1, model: 'base', variant: 'conv', batch: 32, ...over });

describe('bench:train summary', () => {
  it('a row is the median of its steps, with images per second from it', () => {
    const odd = measuredRow(key({}), 10, [300, 100, 200]);
    expect(odd).toMatchObject({ stepMs: 200, minMs: 100, maxMs: 300, steps: 3, params: 10, imagesPerSecond: 32 / 0.2 });
    expect(odd.status).toBeUndefined();
    // Even count: the mean of the middle two.
    expect(measuredRow(key({ batch: 8 }), 10, [40, 10, 30, 20]).stepMs).toBe(25);
    expect(absentRow(key({}), 'no torch')).toMatchObject({ stepMs: null, imagesPerSecond: null, steps: 0, status: 'absent', reason: 'no torch' });
  });

  it('pairs tfjs-wasm with PyTorch at equal threads, and LinearConv with Conv per runtime', () => {
    const rows = [
      measuredRow(key({ threads: 1 }), 1, [400]),
      measuredRow(key({ threads: 1, variant: 'linearconv' }), 1, [440]),
      measuredRow(key({ threads: 2 }), 1, [250]),
      measuredRow(key({ framework: 'pytorch', backend: 'cpu', threads: 1 }), 1, [100]),
      measuredRow(key({ framework: 'pytorch', backend: 'cpu', threads: 1, variant: 'linearconv' }), 1, [160]),
      absentRow(key({ framework: 'pytorch', backend: 'cpu', threads: 2 }), 'absent'),
      measuredRow(key({ backend: 'cpu', threads: 1 }), 1, [40_000]),
    ];
    const r = ratios(rows);
    expect(r.tfjsWasmOverPytorch).toEqual([
      { model: 'base', variant: 'conv', threads: 1, tfjsWasmMs: 400, pytorchMs: 100, ratio: 4 },
      { model: 'base', variant: 'linearconv', threads: 1, tfjsWasmMs: 440, pytorchMs: 160, ratio: 440 / 160 },
    ]);
    expect(r.linearconvOverConv).toEqual([
      { framework: 'tfjs', backend: 'wasm', threads: 1, model: 'base', linearconvMs: 440, convMs: 400, ratio: 1.1 },
      { framework: 'pytorch', backend: 'cpu', threads: 1, model: 'base', linearconvMs: 160, convMs: 100, ratio: 1.6 },
    ]);
  });
});
