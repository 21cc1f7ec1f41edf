import {
  type Coefficients,
  convGeometry,
  type LayerSpec,
  LinearConvError,
  layerSpec,
  type Padding,
  secondaryFilters,
} from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers, type Shape } from '@tensorflow/tfjs-layers';
import { composeKernel, type TensorWeights } from './compose.js';
import { groupedConv2d, type TfPadding } from './conv.js';

type Conv2DArgs = Parameters<typeof layers.conv2d>[0];
type LayerArgs = ConstructorParameters<typeof layers.Layer>[0];
type Initializer = ReturnType<typeof initializers.zeros>;

/** Explicit zero padding [[top, bottom], [left, right]], beyond Conv2D's 'same' and 'valid'. */
export type ExplicitPadding2D = [[number, number], [number, number]];

export interface LinearConv2DArgs extends Omit<Conv2DArgs, 'padding'> {
  /** 'valid' (default), 'same' (TensorFlow's rule) or explicit [[top, bottom], [left, right]]. */
  padding?: 'same' | 'valid' | ExplicitPadding2D;
  /** p, the learned filters. Default floor(filters / 2), the paper's. */
  primaryFilters?: number;
  /** 'full' (default; the paper's -L) or { kind: 'lowRank', rank } (-LR). */
  coefficients?: Coefficients | 'full';
  /** Grouped convolution; groups = input channels is depthwise. Default 1. */
  groups?: number;
  /** For the coefficients (or column and row). Default U(−0.1, 0.1), the authors'. */
  coefficientsInitializer?: Initializer;
}

/** The Conv2D arguments parsed by tfjs itself: what a drop-in must read exactly as Conv2D does. */
interface ParsedConv2D {
  kernelSize: [number, number];
  strides: [number, number];
  dilationRate: [number, number];
  padding: 'same' | 'valid';
  dataFormat: 'channelsFirst' | 'channelsLast';
  useBias: boolean;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  getConfig(): tf.serialization.ConfigDict;
}

const fusable = new Set(['linear', 'relu', 'relu6', 'elu', 'sigmoid']);

/**
 * A Conv2D whose F filters are p learned primaries and F − p linear combinations of them
 * (PAPER.md §1). Weights: `primary` [kh, kw, C/g, p], `coefficients` [F − p, p] (or `column`
 * [F − p, R] and `row` [R, p]), `bias` [F]. Outside training the composed kernel is cached and
 * reused until a weight changes, so it predicts as fast as a Conv2D.
 */
export class LinearConv2D extends layers.Layer {
  static readonly className = 'LinearConv2D';

  readonly filters: number;
  readonly primaryFilters: number;
  readonly coefficients: Coefficients;
  readonly groups: number;
  readonly padding: Padding;
  /** Set by build, once the input channels are known. */
  spec?: LayerSpec;

  private readonly conv: ParsedConv2D;
  private readonly coefficientsInitializer: Initializer;
  private primary?: LayerVariable;
  private coefficientVariables: LayerVariable[] = [];
  private biasVariable?: LayerVariable;
  private cached?: { sources: readonly object[]; kernel: tf.Tensor4D };

  constructor(args: LinearConv2DArgs) {
    super(args as LayerArgs);
    if (args === null || typeof args !== 'object') throw new LinearConvError('args', 'must be an object');
    const explicit = Array.isArray(args.padding);
    // tfjs parses every Conv2D argument; a never-built Conv2D gives us exactly its reading.
    this.conv = layers.conv2d({
      ...(args as Conv2DArgs),
      padding: explicit ? 'valid' : (args.padding as 'same' | 'valid' | undefined),
      name: `${this.name}_args`,
    }) as unknown as ParsedConv2D;
    this.filters = args.filters;
    this.groups = args.groups ?? 1;
    if (explicit) {
      const p = args.padding as ExplicitPadding2D;
      this.padding = [p[0]?.[0], p[0]?.[1], p[1]?.[0], p[1]?.[1]] as unknown as Padding;
    } else {
      this.padding = this.conv.padding;
    }
    // Validate everything but the input channels now (groups stands in for them); build checks the rest.
    const spec = this.specFor(this.groups, args.primaryFilters, args.coefficients);
    this.primaryFilters = spec.primaryFilters;
    this.coefficients = spec.coefficients;
    this.coefficientsInitializer =
      args.coefficientsInitializer ?? initializers.randomUniform({ minval: -0.1, maxval: 0.1 });
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channelAxis = this.conv.dataFormat === 'channelsFirst' ? 1 : shape.length - 1;
    const inChannels = shape[channelAxis];
    if (shape.length !== 4 || inChannels == null) {
      throw new LinearConvError('inputShape', `must be [batch, height, width, channels] with known channels, got ${JSON.stringify(shape)}`);
    }
    const spec = this.specFor(inChannels, this.primaryFilters, this.coefficients);
    this.spec = spec;
    const [kh, kw] = spec.kernelSize;
    const p = spec.primaryFilters;
    const s = secondaryFilters(spec);
    const c = this.conv;
    this.primary = this.addWeight(
      'primary',
      [kh, kw, inChannels / spec.groups, p],
      'float32',
      c.kernelInitializer,
      c.kernelRegularizer as never,
      true,
      c.kernelConstraint as never,
    );
    const coefficient = (name: string, shape: number[]) =>
      this.addWeight(name, shape, 'float32', this.coefficientsInitializer, undefined, true);
    this.coefficientVariables =
      spec.coefficients.kind === 'full'
        ? [coefficient('coefficients', [s, p])]
        : [coefficient('column', [s, spec.coefficients.rank]), coefficient('row', [spec.coefficients.rank, p])];
    if (spec.useBias) {
      this.biasVariable = this.addWeight(
        'bias',
        [spec.outChannels],
        'float32',
        c.biasInitializer,
        c.biasRegularizer as never,
        true,
        c.biasConstraint as never,
      );
    }
    this.inputSpec = [{ ndim: 4, axes: { [channelAxis]: inChannels } }];
    this.built = true;
  }

  /** The composed kernel [kh, kw, C/g, F], as a Conv2D would hold it. The caller owns it. */
  composedKernel(): tf.Tensor4D {
    return composeKernel(this.tensorWeights());
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const channelsFirst = this.conv.dataFormat === 'channelsFirst';
      if (channelsFirst) x = tf.transpose(x, [0, 2, 3, 1]);
      // A kernel larger than the padded input fails here with a named error, not in a kernel.
      convGeometry(this.spec!, x.shape[1], x.shape[2]);
      const kernel = kwargs?.training ? this.composedKernel() : this.inferenceKernel();
      const activation = this.conv.activation.getClassName();
      const fused = fusable.has(activation) ? (activation as tf.fused.Activation) : 'linear';
      let y: tf.Tensor = groupedConv2d(x, kernel, {
        strides: this.conv.strides,
        padding: tfPadding(this.padding),
        dilations: this.conv.dilationRate,
        groups: this.groups,
        bias: this.biasVariable?.read() as tf.Tensor1D | undefined,
        activation: fused,
        differentiable: kwargs?.training === true,
      });
      if (fused === 'linear' && activation !== 'linear') y = this.conv.activation.apply(y);
      return channelsFirst ? tf.transpose(y, [0, 3, 1, 2]) : y;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channelsFirst = this.conv.dataFormat === 'channelsFirst';
    const [h, w] = channelsFirst ? [shape[2], shape[3]] : [shape[1], shape[2]];
    // An unknown size stays unknown; a large stand-in keeps the other axis computable.
    const g = convGeometry(this.specFor(this.groups, this.primaryFilters, this.coefficients), h ?? 1e6, w ?? 1e6);
    const [oh, ow] = [h == null ? null : g.outHeight, w == null ? null : g.outWidth];
    return channelsFirst ? [shape[0], this.filters, oh, ow] : [shape[0], oh, ow, this.filters];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const conv = this.conv.getConfig();
    delete conv.name;
    delete conv.trainable;
    delete conv.dtype;
    delete conv.batchInputShape;
    return {
      ...conv,
      ...super.getConfig(),
      padding: Array.isArray(this.padding)
        ? [
            [this.padding[0], this.padding[1]],
            [this.padding[2], this.padding[3]],
          ]
        : (this.padding as string),
      primaryFilters: this.primaryFilters,
      coefficients: { ...this.coefficients },
      groups: this.groups,
      coefficientsInitializer: {
        className: this.coefficientsInitializer.getClassName(),
        config: this.coefficientsInitializer.getConfig(),
      },
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { coefficientsInitializer, ...rest } = config as { coefficientsInitializer?: { className: string; config: tf.serialization.ConfigDict } };
    const args: Record<string, unknown> = { ...rest };
    if (coefficientsInitializer) {
      const [initializerClass, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[coefficientsInitializer.className];
      args.coefficientsInitializer = fromConfig(initializerClass, coefficientsInitializer.config);
    }
    return new cls(args);
  }

  override dispose(): ReturnType<layers.Layer['dispose']> {
    this.releaseCache();
    return super.dispose();
  }

  private tensorWeights(): TensorWeights {
    if (!this.primary) throw new LinearConvError(this.name, 'is not built yet: call it on an input or build it first');
    const [a, b] = this.coefficientVariables.map((v) => v.read() as tf.Tensor2D);
    const primary = this.primary.read() as tf.Tensor4D;
    return this.coefficients.kind === 'full' ? { primary, coefficients: a } : { primary, column: a, row: b };
  }

  /**
   * The composed kernel, recomposed only when a weight changed: every assignment to a tf.Variable
   * (optimizer step, setWeights, loading) gives it a new dataId.
   */
  private inferenceKernel(): tf.Tensor4D {
    const sources = [this.primary!, ...this.coefficientVariables].map((v) => v.read().dataId);
    if (this.cached?.sources.every((id, i) => id === sources[i])) return this.cached.kernel;
    this.releaseCache();
    this.cached = { sources, kernel: tf.keep(this.composedKernel()) };
    return this.cached.kernel;
  }

  /** The layer's settings as core's spec: core validates, errors renamed to tfjs's arguments. */
  private specFor(inChannels: number, primaryFilters?: number, coefficients?: Coefficients | 'full'): LayerSpec {
    try {
      return layerSpec({
        inChannels,
        outChannels: this.filters,
        kernelSize: this.conv.kernelSize,
        strides: this.conv.strides,
        padding: this.padding,
        dilation: this.conv.dilationRate,
        groups: this.groups,
        useBias: this.conv.useBias,
        primaryFilters,
        coefficients,
      });
    } catch (e) {
      if (e instanceof LinearConvError) throw new LinearConvError(argumentName(e.field), e.rule);
      throw e;
    }
  }

  private releaseCache(): void {
    this.cached?.kernel.dispose();
    this.cached = undefined;
  }
}

/** Same arguments as tf.layers.conv2d, plus primaryFilters, coefficients and groups. */
export function linearConv2d(args: LinearConv2DArgs): LinearConv2D {
  return new LinearConv2D(args);
}

const argumentNames: Record<string, string> = { outChannels: 'filters', dilation: 'dilationRate', inChannels: 'input channels' };

function argumentName(field: string): string {
  return field.replace(/^\w+/, (head) => argumentNames[head] ?? head);
}

function tfPadding(padding: Padding): TfPadding {
  if (!Array.isArray(padding)) return padding as 'same' | 'valid';
  return [
    [0, 0],
    [padding[0], padding[1]],
    [padding[2], padding[3]],
    [0, 0],
  ];
}

tf.serialization.registerClass(LinearConv2D);
