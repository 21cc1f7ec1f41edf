import { errorOf } from '@linearconv/test-support';
import { describe, expect, it } from 'vitest';
import { modelAccount } from './accounting.js';
import { LinearConvError } from './errors.js';
import { convGeometry } from './spec.js';
import { type ZooConvNode, type ZooModelName, type ZooVariant, zooModel, zooModels, zooPaperParams } from './zoo.js';

const variants: readonly ZooVariant[] = ['conv', 'full', 'lowRank'];

function params(name: ZooModelName, variant: ZooVariant, quirks = {}): number {
  return modelAccount(zooModel(name, { variant, quirks }).nodes).total.params;
}

function convNode(name: ZooModelName, variant: ZooVariant, node: string, quirks = {}): ZooConvNode {
  const found = zooModel(name, { variant, quirks }).nodes.find((n) => n.name === node);
  if (found?.op !== 'conv') throw new Error(`no conv ${node}`);
  return found;
}

describe("the paper's parameter table", () => {
  // Exact trainable counts; the paper prints millions to 2 decimals (-LRr with R = 10).
  const exact: Record<ZooModelName, Record<ZooVariant, number>> = {
    base: { conv: 399_626, full: 227_418, lowRank: 210_458 },
    vgg11: { conv: 9_231_114, full: 4_922_282, lowRank: 4_649_770 },
    allconv: { conv: 1_369_738, full: 739_450, lowRank: 698_938 },
    resnet18: { conv: 11_173_962, full: 6_029_546, lowRank: 5_642_346 },
    resnext29: { conv: 9_128_778, full: 6_475_498, lowRank: 4_708_202 },
    mobilenetv2: { conv: 2_296_922, full: 3_923_434, lowRank: 1_347_850 },
  };

  for (const name of zooModels) {
    for (const variant of variants) {
      it(`${name} ${variant}: ${zooPaperParams[name][variant].toFixed(2)} M`, () => {
        const count = params(name, variant);
        expect(count).toBe(exact[name][variant]);
        expect((count / 1e6).toFixed(2)).toBe(zooPaperParams[name][variant].toFixed(2));
      });
    }
  }

  it('ResNeXt-29 with the plain stem of the published code misses -Lr by 0.01 M', () => {
    const quirks = { resnext29ConvertStem: false };
    expect(params('resnext29', 'conv', quirks)).toBe(9_128_778);
    expect(params('resnext29', 'full', quirks)).toBe(6_474_570); // 6.47, the paper prints 6.48
    expect(params('resnext29', 'lowRank', quirks)).toBe(4_707_658); // 4.71
    expect(convNode('resnext29', 'full', 'conv1', quirks).linearConv).toBeUndefined();
    expect(convNode('resnext29', 'full', 'conv1').linearConv).toBeDefined();
  });

  it('the baseline of every LinearConv row is the plain model', () => {
    for (const name of zooModels) {
      const plain = params(name, 'conv');
      for (const variant of variants) {
        const account = modelAccount(zooModel(name, { variant }).nodes);
        expect(account.total.baselineParams).toBe(plain);
      }
    }
  });
});

describe('architecture details', () => {
  it("MobileNetV2's depthwise LinearConv holds a full [s, p] over p = F/2", () => {
    const node = convNode('mobilenetv2', 'full', 'layers.16.conv2');
    expect(node.conv).toMatchObject({ inChannels: 960, outChannels: 960, groups: 960, kernelSize: [3, 3] });
    const row = modelAccount([node]).layers[0];
    // 480·9 + 480·480 against 960·9
    expect([row.params, row.baselineParams]).toEqual([234_720, 8_640]);
  });

  it('R = 10 exceeds min(p, F − p) only in the 16-filter layers of MobileNetV2', () => {
    for (const name of zooModels) {
      const flagged = modelAccount(zooModel(name, { variant: 'lowRank' }).nodes)
        .layers.filter((row) => row.rankExceedsMin)
        .map((row) => row.name);
      expect(flagged).toEqual(name === 'mobilenetv2' ? ['layers.0.conv3', 'layers.0.shortcut.conv'] : []);
    }
  });

  it('AllConv conv8 padding 1 (authors\u2019 LinearConv) grows the last maps to 10×10, MACs only', () => {
    const quirks = { allconvConv8Padding1: true };
    expect(convNode('allconv', 'full', 'conv8', quirks).shape).toEqual([192, 10, 10]);
    expect(convNode('allconv', 'full', 'conv8').shape).toEqual([192, 8, 8]);
    expect(convNode('allconv', 'conv', 'conv8', quirks).shape).toEqual([192, 8, 8]); // their plain baseline
    expect(params('allconv', 'full', quirks)).toBe(params('allconv', 'full'));
    const macs = (q: object) => modelAccount(zooModel('allconv', { variant: 'full', quirks: q }).nodes).total.macs;
    // conv8 192·192 on 10×10 instead of 8×8, class conv 10·192 likewise
    expect(macs(quirks) - macs({})).toBe((192 * 192 + 10 * 192) * (100 - 64));
  });

  it('MACs of one known layer: VGG11 conv1, 3→64 3×3 on 32×32', () => {
    const row = modelAccount([convNode('vgg11', 'conv', 'conv1')]).layers[0];
    expect(row.macs).toBe(64 * 32 * 32 * 27);
    expect(row.biasAdds).toBe(64 * 32 * 32);
  });

  it("VGG11-Lr: conv MACs plus composition come within 1% of the paper's 2.398 B", () => {
    // The paper's FLOP column counts one op per conv multiply-add plus (2p − 1)·s·D per composition
    // at batch 1; its remaining ~0.8% is the authors' bias counting and BN/ReLU/pool ops.
    const total = modelAccount(zooModel('vgg11', { variant: 'full' }).nodes).total;
    expect(total.compositionFlops).toBe(2_227_340_448);
    expect((total.macs + total.compositionFlops) / 2.398e9).toBeGreaterThan(0.99);
    expect((total.macs + total.compositionFlops) / 2.398e9).toBeLessThan(1);
  });

  it('honours rank and primaryFraction', () => {
    const model = zooModel('base', { variant: 'lowRank', rank: 4, primaryFraction: 0.25 });
    expect(model.rank).toBe(4);
    const conv1 = model.nodes[0] as ZooConvNode;
    expect(conv1.linearConv).toMatchObject({ primaryFilters: 8, coefficients: { kind: 'lowRank', rank: 4 } });
    expect(zooModel('base', { variant: 'full' }).rank).toBeUndefined();
  });
});

describe('errors', () => {
  it('an unknown model names the known ones', () => {
    const e = errorOf(() => zooModel('resnet50'), LinearConvError);
    expect(e.field).toBe('model');
    expect(e.rule).toBe('must be one of base, vgg11, allconv, resnet18, resnext29, mobilenetv2, got "resnet50"');
  });

  it('rejects a bad variant, rank or primaryFraction', () => {
    expect(errorOf(() => zooModel('base', { variant: 'sparse' as ZooVariant }), LinearConvError).field).toBe('variant');
    expect(errorOf(() => zooModel('base', { variant: 'lowRank', rank: 0 }), LinearConvError).field).toBe('rank');
    expect(errorOf(() => zooModel('base', { primaryFraction: 1 }), LinearConvError).field).toBe('primaryFraction');
  });

  it('names the node whose primary count is out of range', () => {
    // p = floor(0.01·96) = 0 in conv1, the first converted conv
    const e = errorOf(() => zooModel('allconv', { variant: 'full', primaryFraction: 0.01 }), LinearConvError);
    expect(e.field).toBe('conv1.primaryFilters');
  });
});

describe('DAG integrity', () => {
  for (const name of zooModels) {
    for (const variant of variants) {
      it(`${name} ${variant}`, () => {
        const model = zooModel(name, { variant });
        const shapes = new Map<string, readonly number[]>();
        const shapeOf = (input: string | undefined) => (input === undefined ? model.inputShape : shapes.get(input));
        model.nodes.forEach((node, i) => {
          expect(shapes.has(node.name), `${node.name} is unique`).toBe(false);
          // only the first node reads the model input; every other input names an earlier node
          if (i === 0) expect(node.inputs).toEqual([]);
          else expect(node.inputs.length).toBeGreaterThan(0);
          for (const input of node.inputs) expect(shapes.has(input), `${node.name} ← ${input}`).toBe(true);
          const from = shapeOf(node.inputs[0]);
          if (!from) throw new Error('unreachable');

          switch (node.op) {
            case 'conv': {
              expect(node.conv.inChannels).toBe(from[0]);
              expect(node.inputSize).toEqual([from[1], from[2]]);
              const { outHeight, outWidth } = convGeometry(node.conv, from[1], from[2]);
              expect(node.shape).toEqual([node.conv.outChannels, outHeight, outWidth]);
              if (node.convertible && variant !== 'conv') {
                const { primaryFilters, coefficients, ...geometry } = node.linearConv!;
                expect(geometry).toEqual(node.conv);
                expect(primaryFilters).toBe(Math.floor(node.conv.outChannels / 2));
                expect(coefficients).toEqual(variant === 'full' ? { kind: 'full' } : { kind: 'lowRank', rank: 10 });
              } else {
                expect(node.linearConv).toBeUndefined();
              }
              break;
            }
            case 'batchNorm':
              expect(node.channels).toBe(from[0]);
              expect(node.shape).toEqual(from);
              break;
            case 'dense':
              expect(from).toHaveLength(1);
              expect(node.inFeatures).toBe(from[0]);
              expect(node.shape).toEqual([node.outFeatures]);
              break;
            case 'flatten':
              expect(node.shape).toEqual([from.reduce((a, b) => a * b, 1)]);
              break;
            case 'add':
              expect(node.inputs).toHaveLength(2);
              expect(shapeOf(node.inputs[1])).toEqual(from);
              expect(node.shape).toEqual(from);
              break;
            case 'maxPool':
            case 'avgPool':
              expect(node.shape).toEqual([
                from[0],
                Math.floor(from[1] / node.strides[0]),
                Math.floor(from[2] / node.strides[1]),
              ]);
              break;
            case 'globalAvgPool':
              expect(node.shape).toEqual([from[0], 1, 1]);
              break;
            default:
              expect(node.shape).toEqual(from);
          }
          shapes.set(node.name, node.shape);
        });
        expect(model.nodes.at(-1)!.shape).toEqual([10]);
        // every node but the last feeds a later one
        const consumed = new Set(model.nodes.flatMap((node) => node.inputs));
        expect(model.nodes.slice(0, -1).filter((node) => !consumed.has(node.name))).toEqual([]);
      });
    }
  }

  it('converts exactly what the paper says', () => {
    const plain = (name: ZooModelName) =>
      zooModel(name, { variant: 'full' })
        .nodes.filter((node) => node.op === 'conv' && !node.linearConv)
        .map((node) => node.name);
    expect(plain('base')).toEqual([]);
    expect(plain('vgg11')).toEqual([]);
    expect(plain('allconv')).toEqual(['classConv']);
    expect(plain('resnet18')).toEqual([]);
    expect(plain('resnext29')).toEqual([]); // the stem too, by the default quirk
    expect(plain('mobilenetv2')).toEqual([]);
  });
});

describe('other input shapes and class counts', () => {
  it('builds Base for 28×28 digits: four 2×2 pools leave 1×1, so FC 256 → classes', () => {
    const model = zooModel('base', { inputShape: [1, 28, 28], classes: 5 });
    const fc = model.nodes.at(-1)!;
    expect(fc).toMatchObject({ op: 'dense', inFeatures: 256, outFeatures: 5 });
    expect((model.nodes[0] as ZooConvNode).conv.inChannels).toBe(1);
    expect(model.inputShape).toEqual([1, 28, 28]);
  });

  it('gives AllConv its class conv the new width', () => {
    const classConv = zooModel('allconv', { classes: 100 }).nodes.find((n) => n.name === 'classConv') as ZooConvNode;
    expect(classConv.conv.outChannels).toBe(100);
  });

  it('refuses a bad shape or class count, naming it', () => {
    expect(() => zooModel('base', { inputShape: [1, 28] as never })).toThrow(/inputShape: must be \[channels, height, width\]/);
    expect(() => zooModel('base', { classes: 0 })).toThrow(/classes: must be a positive integer/);
    expect(() => zooModel('base', { inputShape: [1, 8, 8] })).toThrow(LinearConvError);
  });
});
