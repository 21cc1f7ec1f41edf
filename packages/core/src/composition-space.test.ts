import { describe, expect, it } from 'vitest';
import { cheaperCompositionSpace, compositionSpaceMacs } from './composition-space.js';
import { LinearConvError } from './errors.js';
import { type LayerSpecInput, layerSpec } from './spec.js';

const spec = (input: Partial<LayerSpecInput>) => layerSpec({ inChannels: 32, outChannels: 64, kernelSize: 3, ...input });

describe('compositionSpaceMacs', () => {
  it('counts N·H′·W′·F·D + s·p·D in weight space and N·H′·W′·p·(D + F) in output space', () => {
    // D = 32·9 = 288, F = 64, p = s = 32, 100 positions.
    expect(compositionSpaceMacs(spec({}), 100)).toEqual({ weight: 100 * 64 * 288 + 32 * 32 * 288, output: 100 * 32 * (288 + 64) });
  });

  it('low rank: R·(p + s)·D to compose, s·R·p to form A', () => {
    // D = 288, p = 20, s = 44, R = 4.
    const lowRank = spec({ primaryFilters: 20, coefficients: { kind: 'lowRank', rank: 4 } });
    expect(compositionSpaceMacs(lowRank, 10)).toEqual({ weight: 10 * 64 * 288 + 4 * 64 * 288, output: 10 * 20 * (288 + 64) + 44 * 4 * 20 });
  });

  it('names a bad spec or position count', () => {
    expect(() => compositionSpaceMacs(spec({}), 0)).toThrow(LinearConvError);
    expect(() => compositionSpaceMacs(spec({}), 1.5)).toThrow(/outputPositions/);
    expect(() => compositionSpaceMacs({ inChannels: 3 } as never, 1)).toThrow(LinearConvError);
  });
});

describe('cheaperCompositionSpace', () => {
  it("picks output space roughly when F < C·kh·kw at p = F / 2: the paper's Base", () => {
    // Base at batch 32 on 32×32: conv1 (C = 1) stays in weight space, conv2 to conv4 go to output space.
    expect(cheaperCompositionSpace(spec({ inChannels: 1, outChannels: 32 }), 32 * 32 * 32)).toBe('weight');
    expect(cheaperCompositionSpace(spec({ inChannels: 32, outChannels: 64 }), 32 * 16 * 16)).toBe('output');
    expect(cheaperCompositionSpace(spec({ inChannels: 64, outChannels: 128 }), 32 * 8 * 8)).toBe('output');
  });

  it("picks output space for VGG11's late layers, where composing costs as much as the conv", () => {
    const late = spec({ inChannels: 512, outChannels: 512 });
    const macs = compositionSpaceMacs(late, 32 * 2 * 2);
    expect(macs.output).toBeLessThan(macs.weight);
    expect(cheaperCompositionSpace(late, 32 * 2 * 2)).toBe('output');
  });

  it('keeps a 1×1 conv that widens in weight space: F ≥ C·kh·kw', () => {
    expect(cheaperCompositionSpace(spec({ inChannels: 16, outChannels: 64, kernelSize: 1 }), 1000)).toBe('weight');
  });

  it('keeps grouped layers in weight space whatever the cost', () => {
    const grouped = spec({ inChannels: 64, outChannels: 64, groups: 2 });
    const macs = compositionSpaceMacs(grouped, 1000);
    expect(macs.output).toBeLessThan(macs.weight);
    expect(cheaperCompositionSpace(grouped, 1000)).toBe('weight');
  });
});
