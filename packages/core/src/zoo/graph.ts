import type { PlainConvSpec } from '../accounting.js';
import { LinearConvError } from '../errors.js';
import type { ExplicitPadding, LayerSpec, Pair, Padding } from '../spec.js';
import { convGeometry } from '../spec.js';

/**
 * The zoo's model format: an ordered list of nodes, a small DAG. Every node names its inputs
 * (earlier nodes; an empty list means the model input) and records its output shape without the
 * batch: [C, H, W] for feature maps, [features] after flatten and dense.
 */
interface NodeBase {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly shape: readonly number[];
}

export interface ZooConvNode extends NodeBase {
  readonly op: 'conv';
  /** The plain convolution; for a LinearConv node, the conv that runs on the composed bank. */
  readonly conv: PlainConvSpec;
  /** Whether the paper's LinearConv variants replace this conv. */
  readonly convertible: boolean;
  /** Set when this model variant runs the conv as LinearConv. */
  readonly linearConv?: LayerSpec;
  /** [height, width] of the conv's input, for MACs. */
  readonly inputSize: Pair;
}

export interface ZooBatchNormNode extends NodeBase {
  readonly op: 'batchNorm';
  readonly channels: number;
}

export interface ZooActivationNode extends NodeBase {
  /** The zoo uses relu everywhere, as the authors' code does (their MobileNetV2 included). */
  readonly op: 'relu' | 'relu6';
}

export interface ZooPoolNode extends NodeBase {
  readonly op: 'maxPool' | 'avgPool';
  readonly size: Pair;
  readonly strides: Pair;
  readonly padding: Padding;
}

/** Mean over H and W; keeps the dims, as PyTorch's adaptive_avg_pool2d(·, 1): [C, 1, 1]. */
export interface ZooGlobalAvgPoolNode extends NodeBase {
  readonly op: 'globalAvgPool';
}

/** NCHW, channel-major order, as PyTorch's view(n, −1); the dense weights assume this order. */
export interface ZooFlattenNode extends NodeBase {
  readonly op: 'flatten';
}

export interface ZooDenseNode extends NodeBase {
  readonly op: 'dense';
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly useBias: boolean;
}

/** Element-wise sum of its inputs. */
export interface ZooAddNode extends NodeBase {
  readonly op: 'add';
}

export interface ZooDropoutNode extends NodeBase {
  readonly op: 'dropout';
  readonly rate: number;
}

export type ZooNode =
  | ZooConvNode
  | ZooBatchNormNode
  | ZooActivationNode
  | ZooPoolNode
  | ZooGlobalAvgPoolNode
  | ZooFlattenNode
  | ZooDenseNode
  | ZooAddNode
  | ZooDropoutNode;

/** Turns a convertible conv into its LinearConv spec, or returns undefined to keep it plain. */
export type ConvResolver = (name: string, conv: PlainConvSpec) => LayerSpec | undefined;

export interface ConvOptions {
  readonly out: number;
  readonly kernel: number;
  readonly stride?: number;
  /** Symmetric zero padding on every side, as PyTorch's `padding=k`. Default 0. */
  readonly padding?: number;
  readonly groups?: number;
  readonly bias: boolean;
  readonly convertible: boolean;
}

/** Model input, for the first node. */
export const MODEL_INPUT = null;
export type Source = string | typeof MODEL_INPUT;

/** Builds the node list, deriving every shape as it goes. Each method returns the new node's name. */
export class GraphBuilder {
  readonly nodes: ZooNode[] = [];
  private readonly shapes = new Map<string, readonly number[]>();

  constructor(
    private readonly inputShape: readonly number[],
    /** Width of the classifier's output. */
    readonly classes: number,
    private readonly resolve: ConvResolver,
  ) {}

  conv(name: string, from: Source, o: ConvOptions): string {
    const [channels, height, width] = this.map(from);
    const pad = o.padding ?? 0;
    const conv: PlainConvSpec = {
      inChannels: channels,
      outChannels: o.out,
      kernelSize: [o.kernel, o.kernel],
      strides: [o.stride ?? 1, o.stride ?? 1],
      padding: [pad, pad, pad, pad] as ExplicitPadding,
      dilation: [1, 1],
      groups: o.groups ?? 1,
      useBias: o.bias,
    };
    const { outHeight, outWidth } = convGeometry(conv, height, width);
    const linearConv = o.convertible ? this.resolve(name, conv) : undefined;
    return this.push({
      name,
      op: 'conv',
      inputs: inputs(from),
      shape: [o.out, outHeight, outWidth],
      conv,
      convertible: o.convertible,
      ...(linearConv && { linearConv }),
      inputSize: [height, width],
    });
  }

  batchNorm(name: string, from: Source): string {
    const shape = this.map(from);
    return this.push({ name, op: 'batchNorm', inputs: inputs(from), shape, channels: shape[0] });
  }

  relu(name: string, from: Source): string {
    return this.push({ name, op: 'relu', inputs: inputs(from), shape: this.shapeOf(from) });
  }

  maxPool(name: string, from: Source, size: number): string {
    const [channels, height, width] = this.map(from);
    const window = { kernelSize: [size, size] as Pair, strides: [size, size] as Pair, padding: 'valid' as const };
    const { outHeight, outWidth } = convGeometry({ ...window, dilation: [1, 1] }, height, width);
    return this.push({
      name,
      op: 'maxPool',
      inputs: inputs(from),
      shape: [channels, outHeight, outWidth],
      size: window.kernelSize,
      strides: window.strides,
      padding: window.padding,
    });
  }

  globalAvgPool(name: string, from: Source): string {
    return this.push({ name, op: 'globalAvgPool', inputs: inputs(from), shape: [this.map(from)[0], 1, 1] });
  }

  flatten(name: string, from: Source): string {
    const size = this.shapeOf(from).reduce((a, b) => a * b, 1);
    return this.push({ name, op: 'flatten', inputs: inputs(from), shape: [size] });
  }

  dense(name: string, from: Source, outFeatures: number): string {
    const shape = this.shapeOf(from);
    if (shape.length !== 1)
      throw new LinearConvError(`${name}.inputs`, `dense needs a flat input, got [${shape.join(', ')}]`);
    return this.push({
      name,
      op: 'dense',
      inputs: inputs(from),
      shape: [outFeatures],
      inFeatures: shape[0],
      outFeatures,
      useBias: true,
    });
  }

  add(name: string, a: string, b: string): string {
    const shape = this.shapeOf(a);
    if (shape.join() !== this.shapeOf(b).join()) {
      throw new LinearConvError(
        `${name}.inputs`,
        `cannot add [${shape.join(', ')}] and [${this.shapeOf(b).join(', ')}]`,
      );
    }
    return this.push({ name, op: 'add', inputs: [a, b], shape });
  }

  dropout(name: string, from: Source, rate: number): string {
    return this.push({ name, op: 'dropout', inputs: inputs(from), shape: this.shapeOf(from), rate });
  }

  /** The output shape of a node, or of the model input for MODEL_INPUT. */
  shapeOf(from: Source): readonly number[] {
    if (from === MODEL_INPUT) return this.inputShape;
    const shape = this.shapes.get(from);
    if (!shape) throw new LinearConvError('inputs', `no earlier node is named ${JSON.stringify(from)}`);
    return shape;
  }

  private map(from: Source): readonly [number, number, number] {
    const shape = this.shapeOf(from);
    if (shape.length !== 3)
      throw new LinearConvError('inputs', `expected a [C, H, W] feature map, got [${shape.join(', ')}]`);
    return [shape[0], shape[1], shape[2]];
  }

  private push(node: ZooNode): string {
    if (this.shapes.has(node.name))
      throw new LinearConvError('name', `duplicate node name ${JSON.stringify(node.name)}`);
    this.nodes.push(node);
    this.shapes.set(node.name, node.shape);
    return node.name;
  }
}

function inputs(from: Source): string[] {
  return from === MODEL_INPUT ? [] : [from];
}
