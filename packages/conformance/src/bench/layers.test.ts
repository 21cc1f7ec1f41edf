import { describe, expect, it } from 'vitest';
import { describeLayer, QUICK_LAYERS, selectLayers, standardLayers } from './layers.js';
import { defaultBench, quickBench } from './presets.js';

describe('standardLayers', () => {
  it("has each distinct conv shape of ResNet-18 and VGG11 once, and MobileNetV2's pointwise and depthwise picks", () => {
    const layers = standardLayers();
    const names = layers.map((l) => l.name);
    expect(names.filter((n) => n.startsWith('resnet18/'))).toHaveLength(11);
    expect(names.filter((n) => n.startsWith('vgg11/'))).toEqual(['vgg11/conv2', 'vgg11/conv3', 'vgg11/conv5', 'vgg11/conv7']);
    expect(layers.find((l) => l.name === 'resnet18/layer1.0.conv1')!.sameShape).toEqual([
      'resnet18/layer1.0.conv1',
      'resnet18/layer1.0.conv2',
      'resnet18/layer1.1.conv1',
      'resnet18/layer1.1.conv2',
    ]);
    expect(layers.find((l) => l.name === 'resnet18/conv1')!.sameShape).toContain('vgg11/conv1');
    const mobile = layers.filter((l) => l.name.startsWith('mobilenetv2/'));
    expect(mobile.filter((l) => l.spec.groups === l.spec.inChannels && l.spec.groups > 1).length).toBeGreaterThanOrEqual(3);
    expect(mobile.filter((l) => l.spec.kernelSize[0] === 1).length).toBeGreaterThanOrEqual(3);
    expect(new Set(layers.map((l) => JSON.stringify([l.spec.inChannels, l.spec.outChannels, l.spec.kernelSize, l.spec.strides, l.spec.groups, l.inputSize]))).size).toBe(layers.length);
    expect(layers.find((l) => l.name === 'resnet18/layer1.0.conv1')!.macs).toBe(64 * 32 * 32 * 64 * 9);
  });

  it('selects by name in the standard order, and names the known layers for an unknown one', () => {
    expect(selectLayers([...QUICK_LAYERS].reverse()).map((l) => l.name)).toEqual(QUICK_LAYERS);
    expect(() => selectLayers(['resnet18/conv9'])).toThrow(/^layer: unknown layer "resnet18\/conv9"; known layers: resnet18\/conv1, /);
  });

  it('describes a layer by its shape', () => {
    const [shortcut, down, pointwise, depthwise] = selectLayers(QUICK_LAYERS);
    expect([shortcut, down, pointwise, depthwise].map(describeLayer)).toEqual(['64→128 1×1 s2 @32×32', '256→512 3×3 s2 @8×8', '16→96 1×1 s1 @32×32', '96 dw 3×3 s1 @32×32']);
    // MobileNetV2's first expansion (16 channels ×6), and 256→512 3×3 stride 2 on 8×8: a 4×4 output.
    expect(down.macs).toBe(256 * 512 * 9 * 4 * 4);
  });
});

describe('the presets', () => {
  it('quick: the quick layers at batch 1; default: every standard layer at batch 1 and 32, with a longer budget', () => {
    expect(quickBench.layers.map((l) => l.name)).toEqual(QUICK_LAYERS);
    expect([quickBench.quick, quickBench.batches]).toEqual([true, [1]]);
    expect(defaultBench.layers.map((l) => l.name)).toEqual(standardLayers().map((l) => l.name));
    expect([defaultBench.quick, defaultBench.batches]).toEqual([false, [1, 32]]);
    expect(defaultBench.timing.budgetMs).toBeGreaterThan(quickBench.timing.budgetMs);
    expect(Object.isFrozen(quickBench.timing) && Object.isFrozen(defaultBench)).toBe(true);
  });
});
