import { convGeometry, type ExplicitPadding, LinearConvError, requirePositiveInteger } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { type initializers, type LayerVariable, layers, type Shape } from '@tensorflow/tfjs-layers';
import { type GroupedConvOptions, groupedConv, type TfPadding } from './conv.js';

export type Conv2DArgs = Parameters<typeof layers.conv2d>[0];
type LayerArgs = ConstructorParameters<typeof layers.Layer>[0];
export type Initializer = ReturnType<typeof initializers.zeros>;

/** Explicit zero padding [[top, bottom], [left, right]], beyond Conv2D's 'same' and 'valid'. */
export type ExplicitPadding2D = [[number, number], [number, number]];

/** Every tf.layers.conv2d argument, plus groups and explicit padding. */
export interface GroupedConv2DArgs extends Omit<Conv2DArgs, 'padding'> {
  /** 'valid' (default), 'same' (TensorFlow's rule) or explicit [[top, bottom], [left, right]]. */
  padding?: 'same' | 'valid' | ExplicitPadding2D;
  /** Grouped convolution: must divide the input channels and `filters`; input channels = groups is depthwise. Default 1. */
  groups?: number;
}

/** The Conv2D arguments as tfjs itself reads them: what a drop-in must read exactly as Conv2D does. */
export interface ParsedConv2D {
  kernelSize: [number, number];
  strides: [number, number];
  dilationRate: [number, number];
  padding: 'same' | 'valid';
  dataFormat: 'channelsFirst' | 'channelsLast';
  useBias: boolean;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer?: never;
  biasRegularizer?: never;
  kernelConstraint?: never;
  biasConstraint?: never;
  getConfig(): tf.serialization.ConfigDict;
}

const fusable = new Set(['linear', 'relu', 'relu6', 'elu', 'sigmoid']);

/**
 * What Conv2D, GroupedConv2D and LinearConv2D share: argument parsing, groups, padding, the
 * conv itself, output shapes and config. Subclasses say where the kernel comes from.
 */
export abstract class ConvLayer extends layers.Layer {
  readonly filters: number;
  readonly groups: number;
  /** [top, bottom, left, right], or 'same' / 'valid'. */
  readonly padding: 'same' | 'valid' | ExplicitPadding;
  protected readonly conv: ParsedConv2D;
  protected biasVariable?: LayerVariable;

  constructor(args: GroupedConv2DArgs) {
    if (args === null || typeof args !== 'object') throw new LinearConvError('args', 'must be an object');
    super(args as LayerArgs);
    const explicit = Array.isArray(args.padding);
    // tfjs parses every Conv2D argument; a never-built Conv2D gives us exactly its reading.
    this.conv = layers.conv2d({
      ...(args as Conv2DArgs),
      padding: explicit ? 'valid' : (args.padding as 'same' | 'valid' | undefined),
      name: `${this.name}_args`,
    }) as unknown as ParsedConv2D;
    this.filters = args.filters;
    this.groups = requirePositiveInteger('groups', args.groups ?? 1);
    if (this.filters % this.groups !== 0) {
      throw new LinearConvError('groups', `must divide filters (${this.filters}), got ${this.groups}`);
    }
    this.padding = explicit ? explicitPadding(args.padding as ExplicitPadding2D) : this.conv.padding;
  }

  /** Creates the kernel's weights for `inChannels` input channels (already checked against groups). */
  protected abstract buildKernel(inChannels: number): void;

  /** The [kh, kw, C/g, F] kernel to convolve with. Disposed by the caller's tidy unless kept. */
  protected abstract kernel(training: boolean): tf.Tensor4D;

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channelAxis = this.conv.dataFormat === 'channelsFirst' ? 1 : 3;
    const inChannels = shape[channelAxis];
    if (shape.length !== 4 || inChannels == null) {
      throw new LinearConvError('inputShape', `must be 4-D with known channels, got ${JSON.stringify(shape)}`);
    }
    if (inChannels % this.groups !== 0) {
      throw new LinearConvError('groups', `must divide the input channels (${inChannels}), got ${this.groups}`);
    }
    this.buildKernel(inChannels);
    if (this.conv.useBias) {
      const c = this.conv;
      this.biasVariable = this.addWeight('bias', [this.filters], 'float32', c.biasInitializer, c.biasRegularizer, true, c.biasConstraint);
    }
    this.inputSpec = [{ ndim: 4, axes: { [channelAxis]: inChannels } }];
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const channelsFirst = this.conv.dataFormat === 'channelsFirst';
      if (channelsFirst) x = tf.transpose(x, [0, 2, 3, 1]);
      // A kernel larger than the padded input fails here with a named error, not in a kernel.
      const { outHeight, outWidth } = convGeometry(this.geometry(), x.shape[1], x.shape[2]);
      const training = kwargs?.training === true;
      const activation = this.conv.activation.getClassName();
      // Under a gradient tape tfjs's fused ops fuse only a linear activation (the bias, that is).
      const fused = fusable.has(activation) ? (activation as tf.fused.Activation) : 'linear';
      const options: GroupedConvOptions = {
        strides: this.conv.strides,
        padding: tfPadding(this.padding),
        dilations: this.conv.dilationRate,
        groups: this.groups,
        bias: this.biasVariable?.read() as tf.Tensor1D | undefined,
        activation: fused,
        differentiable: training,
        inputNeedsNoGradient: training && this.fedByModelInputs(),
      };
      let y: tf.Tensor = this.convolve(x, options, x.shape[0] * outHeight * outWidth);
      if (fused === 'linear' && activation !== 'linear') y = this.conv.activation.apply(y);
      return channelsFirst ? tf.transpose(y, [0, 3, 1, 2]) : y;
    });
  }

  /**
   * The convolution of NHWC `x`, with the bias and fused activation of `options`, over
   * `outputPositions` = N·H'·W' output pixels. Subclasses may compute the same differently.
   */
  protected convolve(x: tf.Tensor4D, options: GroupedConvOptions, _outputPositions: number): tf.Tensor4D {
    return groupedConv(x, this.kernel(options.differentiable === true), options);
  }

  /**
   * Every inbound node comes straight from an InputLayer: the model's first conv, whose input
   * gradient no training step uses. A layer called eagerly has no nodes and says false.
   */
  private fedByModelInputs(): boolean {
    const nodes = this.inboundNodes;
    return nodes.length > 0 && nodes.every((n) => n.inboundLayers.length > 0 && n.inboundLayers.every((l) => l.getClassName() === 'InputLayer'));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channelsFirst = this.conv.dataFormat === 'channelsFirst';
    const [h, w] = channelsFirst ? [shape[2], shape[3]] : [shape[1], shape[2]];
    // An unknown size stays unknown; a large stand-in keeps the other axis computable.
    const g = convGeometry(this.geometry(), h ?? 1e6, w ?? 1e6);
    const [oh, ow] = [h == null ? null : g.outHeight, w == null ? null : g.outWidth];
    return channelsFirst ? [shape[0], this.filters, oh, ow] : [shape[0], oh, ow, this.filters];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { name: _n, trainable: _t, dtype: _d, batchInputShape: _b, ...conv } = this.conv.getConfig();
    const p = this.padding;
    return {
      ...conv,
      ...super.getConfig(),
      padding: typeof p === 'string' ? p : [[p[0], p[1]], [p[2], p[3]]],
      groups: this.groups,
    };
  }

  protected geometry() {
    return { kernelSize: this.conv.kernelSize, strides: this.conv.strides, padding: this.padding, dilation: this.conv.dilationRate };
  }
}

/** A Conv2D with groups, which tf.layers.conv2d lacks: kernel [kh, kw, C/g, F], bias [F]. */
export class GroupedConv2D extends ConvLayer {
  static readonly className = 'GroupedConv2D';
  private kernelVariable?: LayerVariable;

  protected buildKernel(inChannels: number): void {
    const c = this.conv;
    const [kh, kw] = c.kernelSize;
    const shape = [kh, kw, inChannels / this.groups, this.filters];
    this.kernelVariable = this.addWeight('kernel', shape, 'float32', c.kernelInitializer, c.kernelRegularizer, true, c.kernelConstraint);
  }

  protected kernel(): tf.Tensor4D {
    return this.kernelVariable!.read() as tf.Tensor4D;
  }
}

/** Same arguments as tf.layers.conv2d, plus groups and explicit padding. */
export function groupedConv2d(args: GroupedConv2DArgs): GroupedConv2D {
  return new GroupedConv2D(args);
}

function explicitPadding(p: ExplicitPadding2D): ExplicitPadding {
  const flat = [p[0]?.[0], p[0]?.[1], p[1]?.[0], p[1]?.[1]];
  if (p.length !== 2 || !flat.every((v) => Number.isInteger(v) && (v as number) >= 0)) {
    throw new LinearConvError('padding', `must be 'same', 'valid' or [[top, bottom], [left, right]] of non-negative integers, got ${JSON.stringify(p)}`);
  }
  return flat as unknown as ExplicitPadding;
}

function tfPadding(padding: 'same' | 'valid' | ExplicitPadding): TfPadding {
  if (typeof padding === 'string') return padding;
  return [[0, 0], [padding[0], padding[1]], [padding[2], padding[3]], [0, 0]];
}

tf.serialization.registerClass(GroupedConv2D);
