import type { PlainConvSpec } from './accounting.js';
import { describe, LinearConvError, requireOptions } from './errors.js';
import { type LayerSpec, layerSpec, requireSize } from './spec.js';
import { buildAllConv } from './zoo/allconv.js';
import { buildBase } from './zoo/base.js';
import { GraphBuilder, type ZooNode } from './zoo/graph.js';
import { buildMobileNetV2 } from './zoo/mobilenetv2.js';
import { buildResNet18 } from './zoo/resnet18.js';
import { buildResNeXt29 } from './zoo/resnext29.js';
import { buildVgg11 } from './zoo/vgg11.js';

export type {
  ZooActivationNode,
  ZooAddNode,
  ZooBatchNormNode,
  ZooConvNode,
  ZooDenseNode,
  ZooDropoutNode,
  ZooFlattenNode,
  ZooGlobalAvgPoolNode,
  ZooNode,
  ZooPoolNode,
} from './zoo/graph.js';

/**
 * The paper's six CIFAR-10 models (README: Accounting and the model zoo) as data: 3×32×32 input, 10 classes, an ordered
 * node list whose last node gives the logits. Adapters build real networks from it; `modelAccount`
 * counts it.
 */
export const zooModels = ['base', 'vgg11', 'allconv', 'resnet18', 'resnext29', 'mobilenetv2'] as const;
export type ZooModelName = (typeof zooModels)[number];

/** `conv`: the baseline; `full`: the paper's -Lr; `lowRank`: the paper's -LRr. */
export type ZooVariant = 'conv' | 'full' | 'lowRank';
const variants: readonly ZooVariant[] = ['conv', 'full', 'lowRank'];

/** Quirks of the authors' code, each selectable. */
export interface ZooQuirks {
  /**
   * Convert ResNeXt-29's 1×1 stem. Default true: the paper's ResNeXt-29-Lr count (6.48 M) needs
   * it; false is the authors' published code (its stem stays plain), 6.47 M.
   */
  readonly resnext29ConvertStem?: boolean;
  /**
   * Pad AllConv's 1×1 conv8 by 1 in the LinearConv variants, as the authors' LinearConv class
   * default does (maps grow to 10×10). Default false. Changes MACs only, never parameters.
   */
  readonly allconvConv8Padding1?: boolean;
}

export interface ZooOptions {
  /** Default `conv`. */
  readonly variant?: ZooVariant;
  /** R for `lowRank`; default 10, the rank the paper's -LRr counts fit. */
  readonly rank?: number;
  /** α in (0, 1): p = floor(α·F) per layer. Default 1/2, the paper's. */
  readonly primaryFraction?: number;
  readonly quirks?: ZooQuirks;
  /** [C, H, W]; default [3, 32, 32], the paper's CIFAR-10 shape. */
  readonly inputShape?: readonly [number, number, number];
  /** Default 10. */
  readonly classes?: number;
}

export interface ZooModel {
  readonly name: ZooModelName;
  readonly variant: ZooVariant;
  /** Present for `lowRank`. */
  readonly rank?: number;
  readonly primaryFraction: number;
  readonly quirks: Required<ZooQuirks>;
  /** [C, H, W], without the batch. */
  readonly inputShape: readonly [number, number, number];
  readonly classes: number;
  readonly nodes: readonly ZooNode[];
}

/** The paper's parameter counts in millions, as printed (-LRr with R = 10). */
export const zooPaperParams: Readonly<Record<ZooModelName, Readonly<Record<ZooVariant, number>>>> = {
  base: { conv: 0.4, full: 0.23, lowRank: 0.21 },
  vgg11: { conv: 9.23, full: 4.92, lowRank: 4.65 },
  allconv: { conv: 1.37, full: 0.74, lowRank: 0.7 },
  resnet18: { conv: 11.17, full: 6.03, lowRank: 5.64 },
  resnext29: { conv: 9.13, full: 6.48, lowRank: 4.71 },
  mobilenetv2: { conv: 2.3, full: 3.92, lowRank: 1.35 },
};

const defaultQuirks: Required<ZooQuirks> = { resnext29ConvertStem: true, allconvConv8Padding1: false };

/** Builds one zoo model. Throws LinearConvError for an unknown model, variant, rank or fraction. */
export function zooModel(name: string, options: ZooOptions = {}): ZooModel {
  if (!(zooModels as readonly string[]).includes(name)) {
    throw new LinearConvError('model', `must be one of ${zooModels.join(', ')}, got ${describe(name)}`);
  }
  const model = name as ZooModelName;
  requireOptions('options', options, ['variant', 'rank', 'primaryFraction', 'quirks', 'inputShape', 'classes']);
  const variant = options.variant ?? 'conv';
  if (!variants.includes(variant)) {
    throw new LinearConvError('variant', `must be one of ${variants.join(', ')}, got ${describe(variant)}`);
  }
  const rank = variant === 'lowRank' ? requireSize('rank', options.rank ?? 10) : undefined;
  const primaryFraction = options.primaryFraction ?? 0.5;
  if (typeof primaryFraction !== 'number' || !(primaryFraction > 0 && primaryFraction < 1)) {
    throw new LinearConvError('primaryFraction', `must be a number in (0, 1), got ${describe(primaryFraction)}`);
  }
  if (options.quirks !== undefined) {
    requireOptions('quirks', options.quirks, Object.keys(defaultQuirks));
    for (const [key, value] of Object.entries(options.quirks)) {
      if (value !== undefined && typeof value !== 'boolean') {
        throw new LinearConvError(`quirks.${key}`, `must be a boolean, got ${describe(value)}`);
      }
    }
  }
  // A quirk given as undefined keeps its default.
  const given = Object.entries(options.quirks ?? {}).filter(([, value]) => value !== undefined);
  const quirks: Required<ZooQuirks> = { ...defaultQuirks, ...Object.fromEntries(given) };
  const inputShape = options.inputShape ?? [3, 32, 32];
  if (!Array.isArray(inputShape) || inputShape.length !== 3) {
    throw new LinearConvError('inputShape', `must be [channels, height, width], got ${describe(inputShape)}`);
  }
  for (const [i, d] of inputShape.entries()) requireSize(`inputShape[${i}]`, d);
  const classes = requireSize('classes', options.classes ?? 10);

  const resolve = (node: string, conv: PlainConvSpec): LayerSpec | undefined => {
    if (variant === 'conv') return undefined;
    // The epsilon keeps floor exact where α·F is an integer up to rounding (0.29 × 100).
    const primaryFilters = Math.floor(primaryFraction * conv.outChannels + 1e-9);
    try {
      return layerSpec({
        ...conv,
        primaryFilters,
        coefficients: rank === undefined ? 'full' : { kind: 'lowRank', rank },
      });
    } catch (e) {
      if (e instanceof LinearConvError) throw new LinearConvError(`${node}.${e.field}`, e.rule);
      throw e;
    }
  };
  const g = new GraphBuilder(inputShape, classes, resolve);
  switch (model) {
    case 'base':
      buildBase(g);
      break;
    case 'vgg11':
      buildVgg11(g);
      break;
    case 'allconv':
      buildAllConv(g, quirks.allconvConv8Padding1 && variant !== 'conv');
      break;
    case 'resnet18':
      buildResNet18(g);
      break;
    case 'resnext29':
      buildResNeXt29(g, quirks.resnext29ConvertStem);
      break;
    case 'mobilenetv2':
      buildMobileNetV2(g);
      break;
  }
  return {
    name: model,
    variant,
    ...(rank !== undefined && { rank }),
    primaryFraction,
    quirks,
    inputShape: [inputShape[0], inputShape[1], inputShape[2]],
    classes,
    nodes: g.nodes,
  };
}
