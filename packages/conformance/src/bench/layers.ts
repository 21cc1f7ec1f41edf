import { countMacs, type LayerSpec, LinearConvError, type Pair, type ZooConvNode, type ZooModelName, zooModel } from '@linearconv/core';

/** One conv layer of the paper's CIFAR models, as the benchmark runs it: LinearConv, p = F/2, full coefficients. */
export interface BenchLayer {
  /** `model/node` of its first occurrence, e.g. `resnet18/layer1.0.conv1`. */
  readonly name: string;
  /** Every zoo layer with this shape (bias aside), `model/node`. */
  readonly sameShape: readonly string[];
  readonly spec: LayerSpec;
  /** [height, width] of the input. */
  readonly inputSize: Pair;
  /** Conv multiply-accumulates for one image, from core's accounting. */
  readonly macs: number;
}

/** MobileNetV2's representative layers: pointwise (1×1) and depthwise (3×3, groups = channels) at each map size. */
const mobileNetPicks = [
  'layers.1.conv1',
  'layers.1.conv2',
  'layers.2.conv3',
  'layers.3.conv2',
  'layers.10.conv1',
  'layers.10.conv2',
  'layers.16.conv2',
  'layers.16.conv3',
  'conv2',
];

/** `--quick`: a 1×1 stride-2 shortcut, a 3×3 stride-2 conv, one pointwise and one depthwise layer. */
export const QUICK_LAYERS = ['resnet18/layer2.0.shortcut.conv', 'resnet18/layer4.0.conv1', 'mobilenetv2/layers.1.conv1', 'mobilenetv2/layers.1.conv2'];

/**
 * The standard set: every distinct conv shape of ResNet-18 and VGG11 (CIFAR, 32×32 input),
 * then MobileNetV2's representative pointwise and depthwise layers. Shapes that repeat (within a
 * model or across them; VGG's convs have a bias where ResNet's do not) are run once, under the
 * name of their first occurrence.
 */
export function standardLayers(): BenchLayer[] {
  const layers: BenchLayer[] = [];
  const byShape = new Map<string, { name: string; sameShape: string[]; node: ZooConvNode }>();
  const add = (model: ZooModelName, node: ZooConvNode) => {
    const name = `${model}/${node.name}`;
    const key = shapeKey(node);
    const seen = byShape.get(key);
    if (seen) seen.sameShape.push(name);
    else byShape.set(key, { name, sameShape: [name], node });
  };
  for (const model of ['resnet18', 'vgg11'] as const) for (const node of convNodes(model)) add(model, node);
  const mobileNet = new Map(convNodes('mobilenetv2').map((n) => [n.name, n]));
  for (const pick of mobileNetPicks) {
    const node = mobileNet.get(pick);
    // The zoo is data: if a layer is renamed, say so instead of benchmarking less.
    if (!node) throw new LinearConvError('layers', `MobileNetV2 has no conv named ${pick}`);
    add('mobilenetv2', node);
  }
  for (const { name, sameShape, node } of byShape.values()) {
    layers.push({ name, sameShape, spec: node.linearConv!, inputSize: node.inputSize, macs: countMacs(node.conv, node.inputSize) });
  }
  return layers;
}

/** The layers named, in the standard set's order; an unknown name is an error listing the known ones. */
export function selectLayers(names: readonly string[]): BenchLayer[] {
  const all = standardLayers();
  for (const name of names) {
    if (!all.some((l) => l.name === name)) {
      throw new LinearConvError('layer', `unknown layer "${name}"; known layers: ${all.map((l) => l.name).join(', ')}`);
    }
  }
  return all.filter((l) => names.includes(l.name));
}

/** `64→128 3×3 s2 @32×32`, `96 dw 3×3 s1 @32×32`. */
export function describeLayer(layer: Pick<BenchLayer, 'spec' | 'inputSize'>): string {
  const s = layer.spec;
  const kernel = `${s.kernelSize[0]}×${s.kernelSize[1]}`;
  const stride = `s${s.strides[0]}`;
  const at = `@${layer.inputSize[0]}×${layer.inputSize[1]}`;
  if (s.groups > 1 && s.groups === s.inChannels) return `${s.outChannels} dw ${kernel} ${stride} ${at}`;
  return `${s.inChannels}→${s.outChannels} ${kernel} ${stride}${s.groups > 1 ? ` g${s.groups}` : ''} ${at}`;
}

function convNodes(model: ZooModelName): ZooConvNode[] {
  return zooModel(model, { variant: 'full' }).nodes.filter((n): n is ZooConvNode => n.op === 'conv' && n.linearConv !== undefined);
}

function shapeKey(node: ZooConvNode): string {
  const { useBias: _, ...shape } = node.conv;
  return JSON.stringify([shape, node.inputSize]);
}
