import { LinearConvError } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { loadCases } from './cases.js';
import { compareArrays } from './compare.js';
import { referenceBackend } from './reference-backend.js';
import { toleranceFor } from './tolerance.js';

const backend = referenceBackend();

describe('reference prepare', () => {
  it.each(loadCases().map((c) => [c.name, c] as const))('%s: prepared layers give the committed output, LinearConv and plain', async (_, kase) => {
    const weights = Object.fromEntries(Object.entries(kase.weights).map(([k, t]) => [k, Float32Array.from(t!.data)])) as never;
    const input = { shape: [...kase.input.shape], data: Float32Array.from(kase.input.data) };
    for (const plain of [false, true]) {
      const layer = await backend.prepare!(kase.spec, weights, input.shape, { plain });
      const output = await layer.run(input);
      // Twice: a prepared layer is run many times and must not keep state between runs.
      const again = await layer.run(input);
      await layer.dispose();
      expect(output.shape).toEqual(kase.expected.output.shape);
      const comparison = compareArrays(output.data, kase.expected.output.data, toleranceFor(backend, kase));
      expect(comparison.pass, comparison.reason).toBe(true);
      expect(Array.from(again.data)).toEqual(Array.from(output.data));
    }
  });

  it('rejects an input of another shape than prepared, and a shape the layer cannot take', async () => {
    const kase = loadCases().find((c) => c.name === 'hand-2x2-ones')!;
    const weights = Object.fromEntries(Object.entries(kase.weights).map(([k, t]) => [k, Float32Array.from(t!.data)])) as never;
    const shape = [...kase.input.shape];
    const layer = await backend.prepare!(kase.spec, weights, shape, { plain: false });
    const wider = [shape[0], shape[1], shape[2], shape[3] + 1];
    await expect(layer.run({ shape: wider, data: new Float32Array(wider.reduce((a, b) => a * b)) })).rejects.toThrow(/input\.shape: must be \[/);
    await expect(backend.prepare!(kase.spec, weights, [1, kase.spec.inChannels + 1, 4, 4], { plain: true })).rejects.toThrow(LinearConvError);
  });
});
