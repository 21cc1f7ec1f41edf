import {
  describe,
  LinearConvError,
  requireOptions,
  requirePositiveInteger,
  type ZooModelName,
  type ZooQuirks,
  type ZooVariant,
  zooModel as zooGraph,
  zooModels,
} from '@linearconv/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { rebuild } from '../rebuild.js';
import { zooModel } from '../zoo.js';
import { authorsPrefixes } from './authors-layout.js';
import { loadTorchWeights, type TorchKeyMap } from './load-torch-weights.js';
import { requireStateDict, type TorchStateDictLike, tensorAt } from './state-dict.js';

export interface ImportTorchOptions {
  /** One of core's zoo models: base, vgg11, allconv, resnet18, resnext29, mobilenetv2. */
  readonly arch: string;
  /** Default: inferred from the tensors (weight → conv; conv_weights + linear_weights → full; + column_weights/row_weights → lowRank). */
  readonly variant?: ZooVariant;
  /** lowRank only: when given, every layer's R must equal it. Default: each layer's R from its tensors. */
  readonly rank?: number;
  /** Default: from the first conv's weight. */
  readonly inChannels?: number;
  /** Default: from the last layer's weight. */
  readonly classes?: number;
  /**
   * Default: the authors' files. AllConv's converted conv8 pads by 1 (their xCNN's default
   * padding); ResNeXt-29's stem is converted only when the checkpoint holds it as xCNN.
   */
  readonly quirks?: ZooQuirks;
}

type Kind = ZooVariant;

/**
 * A tfjs LayersModel of one of the paper's six architectures (`zooModel`), channelsLast,
 * 32×32 input, with the weights of a PyTorch state dict saved by the authors' model files
 * (kkahatapitiya/LinearConv models/*_xcnn.py; key layout in authors-layout.ts). Variant, rank
 * per layer, input channels and classes are read from the tensor shapes; given options must agree.
 * Their quirks are followed: the sparse xCNN's coefficients are linear_weights * mask; xCNNlow's
 * rank ratio gives R = int(p · ratio) per layer (R = 0 is refused); their plain convs (AllConv's
 * class conv, ResNeXt's stem) stay Conv2D. Every shape must match exactly, else a
 * LinearConvError names the key and both shapes.
 */
export async function importTorchStateDict(stateDict: TorchStateDictLike, options: ImportTorchOptions): Promise<LayersModel> {
  requireStateDict(stateDict);
  requireOptions('options', options, ['arch', 'variant', 'rank', 'inChannels', 'classes', 'quirks']);
  const arch = options.arch as ZooModelName;
  if (!(zooModels as readonly string[]).includes(arch)) throw new LinearConvError('arch', `must be one of ${zooModels.join(', ')}, got ${describe(options.arch)}`);
  if (options.rank !== undefined) requirePositiveInteger('rank', options.rank);
  if (options.inChannels !== undefined) requirePositiveInteger('inChannels', options.inChannels);
  if (options.classes !== undefined) requirePositiveInteger('classes', options.classes);

  // Where every conv, batch norm and dense lives (names only: the graph's sizes do not matter here).
  const layout = zooGraph(arch, { variant: 'full', quirks: { resnext29ConvertStem: true } }).nodes;
  const prefixes = authorsPrefixes(arch, layout);
  const convs = layout.filter((n) => n.op === 'conv');
  const kinds = new Map(convs.map((n) => [n.name, kindOf(stateDict, prefixes.get(n.name)!)]));

  const converted = convs.filter((n) => kinds.get(n.name) !== 'conv');
  const variant: Kind = converted.length === 0 ? 'conv' : kinds.get(converted[0].name)!;
  // The authors' files convert every convertible conv but ResNeXt's stem (kept plain in theirs).
  const optional = (name: string) => arch === 'resnext29' && name === 'conv1';
  for (const node of convs) {
    const kind = kinds.get(node.name)!;
    const expected = node.convertible ? variant : 'conv';
    if (kind !== expected && !(optional(node.name) && (kind === 'conv' || kind === variant))) {
      const first = prefixes.get((converted[0] ?? node).name);
      const why = node.convertible ? `${first} as ${variant}: one checkpoint holds one variant` : `the authors' ${arch} keeps it a plain nn.Conv2d`;
      throw new LinearConvError(prefixes.get(node.name)!, `is stored as ${kind} but ${why}`);
    }
  }
  if (options.variant !== undefined && options.variant !== variant) {
    throw new LinearConvError('variant', `is ${describe(options.variant)} but the checkpoint holds ${variant} weights (${prefixes.get((converted[0] ?? convs[0]).name)})`);
  }

  const ranks = new Map<string, number>();
  if (variant === 'lowRank') {
    for (const node of converted) {
      const key = `${prefixes.get(node.name)}.column_weights`;
      const column = tensorAt(stateDict, key)!;
      const rank = column.shape[1];
      if (column.shape.length !== 2) throw new LinearConvError(key, `has shape [${column.shape}] but must be [s, R]`);
      if (rank === 0) {
        throw new LinearConvError(key, `has shape [${column.shape}]: rank R = int(p · ratio) = 0, which the authors' xCNNlow runs silently with all secondary filters zero; it is refused (train with a larger rank ratio)`);
      }
      if (options.rank !== undefined && rank !== options.rank) throw new LinearConvError(key, `has shape [${column.shape}] but rank ${options.rank} needs [${column.shape[0]}, ${options.rank}]`);
      ranks.set(node.name, rank);
    }
  }

  const first = convs[0];
  const firstKey = `${prefixes.get(first.name)}.${kinds.get(first.name) === 'conv' ? 'weight' : 'conv_weights'}`;
  const inChannels = options.inChannels ?? requireTensor(stateDict, firstKey).shape[1];
  const lastNode = layout.filter((n) => n.op === 'dense' || n.op === 'conv').at(-1)!;
  const lastKey = `${prefixes.get(lastNode.name)}.weight`;
  const classes = options.classes ?? requireTensor(stateDict, lastKey).shape[0];
  requirePositiveInteger(firstKey, inChannels);
  requirePositiveInteger(lastKey, classes);

  const quirks: ZooQuirks = {
    allconvConv8Padding1: variant !== 'conv',
    resnext29ConvertStem: arch === 'resnext29' && kinds.get('conv1') !== 'conv',
    ...options.quirks,
  };
  const rank = ranks.size > 0 ? [...ranks.values()][0] : undefined;
  let model = zooModel(arch, { variant, ...(rank !== undefined && { rank }), inputShape: [32, 32, inChannels], classes, quirks });
  if ([...ranks.values()].some((r) => r !== rank)) {
    // The rank ratio gives each layer its own R: the same topology, each LinearConv2D with its rank.
    const perLayer = model;
    model = await rebuild(perLayer, (entry) =>
      entry.className === 'LinearConv2D' && ranks.has(entry.config.name as string)
        ? { ...entry, config: { ...entry.config, coefficients: { kind: 'lowRank', rank: ranks.get(entry.config.name as string)! } } }
        : entry,
    );
    perLayer.dispose();
  }

  const keyMap: TorchKeyMap = Object.fromEntries([...prefixes].filter(([name]) => model.layers.some((l) => l.name === name)));
  try {
    loadTorchWeights(model, stateDict, keyMap);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** How the checkpoint stores the conv at `prefix`. */
function kindOf(stateDict: TorchStateDictLike, prefix: string): Kind {
  const has = (name: string) => Object.hasOwn(stateDict, `${prefix}.${name}`);
  if (has('conv_weights') && has('linear_weights')) return 'full';
  if (has('conv_weights') && (has('column_weights') || has('row_weights'))) return 'lowRank';
  if (has('weight')) return 'conv';
  throw new LinearConvError(
    `${prefix}.weight`,
    `is missing: the authors' layout has ${prefix}.weight (nn.Conv2d), or ${prefix}.conv_weights with linear_weights (xCNN) or column_weights and row_weights (xCNNlow)`,
  );
}

function requireTensor(stateDict: TorchStateDictLike, key: string) {
  const tensor = tensorAt(stateDict, key);
  if (!tensor) throw new LinearConvError(key, 'is missing from the state dict');
  return tensor;
}
