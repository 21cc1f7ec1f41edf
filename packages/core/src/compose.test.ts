import { describe, expect, it } from 'vitest';
import { composeFilters, composeFiltersBackward, type LinearConvWeights } from './compose.js';
import { LinearConvError } from './errors.js';
import { initialWeights } from './initializers.js';
import { createRandom } from './random.js';
import { type LayerSpec, layerSpec, weightShapes } from './spec.js';
import { sizeOf } from './tensor.js';

const f64 = (values: number[]) => Float64Array.from(values);

describe('composeFilters', () => {
  it('stacks the primaries, then A·P (worked by hand)', () => {
    // 3 filters of length 2 (C = 2, 1×1): P = [[1, 2], [3, 4]], A = [[0.5, −1]]
    // secondary = 0.5·[1, 2] − 1·[3, 4] = [−2.5, −3]
    const spec = layerSpec({ inChannels: 2, outChannels: 3, kernelSize: 1, primaryFilters: 2, useBias: false });
    const filters = composeFilters(spec, { primary: f64([1, 2, 3, 4]), coefficients: f64([0.5, -1]) });
    expect(Array.from(filters)).toEqual([1, 2, 3, 4, -2.5, -3]);
    expect(filters).toBeInstanceOf(Float64Array);
  });

  it('builds low rank as Col·(Row·P) (worked by hand)', () => {
    // P = [[1, 0], [0, 2]], Row = [[1, 1]] (R = 1) → Row·P = [1, 2]; Col = [[2], [−1]] → [[2, 4], [−1, −2]]
    const spec = layerSpec({
      inChannels: 2,
      outChannels: 4,
      kernelSize: 1,
      useBias: false,
      coefficients: { kind: 'lowRank', rank: 1 },
    });
    const filters = composeFilters(spec, { primary: f64([1, 0, 0, 2]), column: f64([2, -1]), row: f64([1, 1]) });
    expect(Array.from(filters)).toEqual([1, 0, 0, 2, 2, 4, -1, -2]);
  });

  it('keeps float32 in float32 and agrees with low rank via A = Col·Row', () => {
    const random = createRandom(7);
    const spec = layerSpec({ inChannels: 3, outChannels: 9, kernelSize: 3, primaryFilters: 4, coefficients: { kind: 'lowRank', rank: 2 } });
    const w = initialWeights(spec, random);
    const lowRank = composeFilters(spec, w);
    expect(lowRank).toBeInstanceOf(Float32Array);
    const [s, r, p] = [5, 2, 4];
    const a = new Float32Array(s * p);
    for (let i = 0; i < s; i++) for (let j = 0; j < p; j++) for (let t = 0; t < r; t++) a[i * p + j] += w.column![i * r + t] * w.row![t * p + j];
    const full = composeFilters(layerSpec({ ...spec, coefficients: 'full' }), { primary: w.primary, coefficients: a, bias: w.bias });
    for (let i = 0; i < full.length; i++) expect(lowRank[i]).toBeCloseTo(full[i], 5);
  });

  it('names the weight that has the wrong length or is missing', () => {
    const spec = layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 1 });
    const field = (weights: LinearConvWeights) => {
      try {
        composeFilters(spec, weights);
      } catch (e) {
        expect(e).toBeInstanceOf(LinearConvError);
        return (e as LinearConvError).field;
      }
      return 'no error';
    };
    expect(field({ primary: new Float32Array(3), coefficients: new Float32Array(4), bias: new Float32Array(4) })).toBe('weights.primary');
    expect(field({ primary: new Float32Array(4), bias: new Float32Array(4) })).toBe('weights.coefficients');
    expect(field({ primary: new Float32Array(4), coefficients: new Float32Array(4) })).toBe('weights.bias');
    expect(field({ primary: [1, 2, 3, 4] as never, coefficients: new Float32Array(4), bias: new Float32Array(4) })).toBe('weights.primary');
  });

  it('does not mutate the weights', () => {
    const spec = layerSpec({ inChannels: 2, outChannels: 5, kernelSize: 3, coefficients: { kind: 'lowRank', rank: 2 } });
    const w = initialWeights(spec, createRandom(1));
    const copy = structuredClone(w);
    composeFilters(spec, w);
    composeFiltersBackward(spec, w, new Float32Array(sizeOf(weightShapes(spec).filters)).fill(1));
    expect(w).toEqual(copy);
  });
});

describe('composeFiltersBackward', () => {
  // L = Σ W·G for a fixed G, so dL/dW = G; compare the analytic gradients with central differences.
  function checkAgainstFiniteDifferences(spec: LayerSpec, seed: number) {
    const random = createRandom(seed);
    const w32 = initialWeights(spec, random);
    const params: Record<string, Float64Array> = Object.fromEntries(Object.entries(w32).map(([k, v]) => [k, Float64Array.from(v)]));
    const weights = params as unknown as LinearConvWeights<Float64Array>;
    const g = Float64Array.from({ length: sizeOf(weightShapes(spec).filters) }, () => random.normal());
    const loss = (ws: LinearConvWeights<Float64Array>) => composeFilters(spec, ws).reduce((sum, v, i) => sum + v * g[i], 0);
    const grads = composeFiltersBackward(spec, weights, g) as unknown as Record<string, Float64Array>;
    const names = spec.coefficients.kind === 'full' ? ['primary', 'coefficients'] : ['primary', 'column', 'row'];
    for (const name of names) {
      const analytic = grads[`${name}Grad`];
      const param = params[name];
      for (let i = 0; i < param.length; i++) {
        const keep = param[i];
        const h = 1e-6;
        param[i] = keep + h;
        const up = loss(weights);
        param[i] = keep - h;
        const down = loss(weights);
        param[i] = keep;
        expect(analytic[i]).toBeCloseTo((up - down) / (2 * h), 6);
      }
    }
  }

  it('matches finite differences, full coefficients', () => {
    checkAgainstFiniteDifferences(layerSpec({ inChannels: 3, outChannels: 7, kernelSize: [3, 2], primaryFilters: 3 }), 11);
  });

  it('matches finite differences, low rank', () => {
    checkAgainstFiniteDifferences(
      layerSpec({ inChannels: 4, outChannels: 10, kernelSize: 3, groups: 2, coefficients: { kind: 'lowRank', rank: 3 } }),
      12,
    );
  });

  it('matches finite differences at the minimal F = 2', () => {
    checkAgainstFiniteDifferences(layerSpec({ inChannels: 1, outChannels: 2, kernelSize: 1 }), 13);
  });
});
