import { type Coefficients, cheaperCompositionSpace, type LayerSpec, LinearConvError, layerSpec, secondaryFilters } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import { composeKernel, mixingMatrix, type TensorWeights } from './compose.js';
import { type GroupedConvOptions, mixedConv } from './conv.js';
import { ConvLayer, type GroupedConv2DArgs, type Initializer } from './conv-layer.js';

export interface LinearConv2DArgs extends GroupedConv2DArgs {
  /** p, the learned filters. Default floor(filters / 2), the paper's. */
  primaryFilters?: number;
  /** 'full' (default; the paper's -L) or { kind: 'lowRank', rank } (-LR). */
  coefficients?: Coefficients | 'full';
  /**
   * For the coefficients (or column and row), as tfjs reads `kernelInitializer`: an initialiser,
   * its name ('zeros', 'glorotUniform', …) or its { className, config }. Default U(−0.1, 0.1), the authors'.
   */
  coefficientsInitializer?: Initializer | string | tf.serialization.ConfigDict;
}

/**
 * A Conv2D whose F filters are p learned primaries and F − p linear combinations of them
 * (the method as @linearconv/core's README describes it). Weights: `primary` [kh, kw, C/g, p] (laid out like a Conv2D kernel, and where
 * `kernelInitializer`, `kernelRegularizer` and `kernelConstraint` apply), `coefficients`
 * [F − p, p] (or `column` [F − p, R] and `row` [R, p]), `bias` [F]. Outside training the
 * composed kernel is cached and reused until a weight changes, so it predicts as fast as a Conv2D.
 */
export class LinearConv2D extends ConvLayer {
  static readonly className = 'LinearConv2D';

  readonly primaryFilters: number;
  readonly coefficients: Coefficients;
  /** core's spec of this layer, once built (the input channels are known then). */
  spec?: LayerSpec;

  private readonly coefficientsInitializer: Initializer;
  private primary?: LayerVariable;
  private coefficientVariables: LayerVariable[] = [];
  private cached?: { sources: readonly object[]; kernel: tf.Tensor4D };

  constructor(args: LinearConv2DArgs) {
    super(args);
    // Validate all but the input channels now (groups stands in for them); build checks the rest.
    const spec = this.specFor(this.groups, args.primaryFilters, args.coefficients);
    this.primaryFilters = spec.primaryFilters;
    this.coefficients = spec.coefficients;
    this.coefficientsInitializer = parseInitializer(args.coefficientsInitializer);
  }

  protected buildKernel(inChannels: number): void {
    const spec = this.specFor(inChannels, this.primaryFilters, this.coefficients);
    this.spec = spec;
    const c = this.conv;
    const [kh, kw] = spec.kernelSize;
    const p = spec.primaryFilters;
    const s = secondaryFilters(spec);
    const primaryShape = [kh, kw, inChannels / spec.groups, p];
    this.primary = this.addWeight('primary', primaryShape, 'float32', c.kernelInitializer, c.kernelRegularizer, true, c.kernelConstraint);
    const coefficient = (name: string, shape: number[]) => this.addWeight(name, shape, 'float32', this.coefficientsInitializer);
    this.coefficientVariables =
      spec.coefficients.kind === 'full'
        ? [coefficient('coefficients', [s, p])]
        : [coefficient('column', [s, spec.coefficients.rank]), coefficient('row', [spec.coefficients.rank, p])];
  }

  /** The composed kernel [kh, kw, C/g, F], as a Conv2D would hold it. The caller owns it. */
  composedKernel(): tf.Tensor4D {
    return composeKernel(this.tensorWeights());
  }

  /**
   * Training composes in output space where that costs fewer multiply-adds (core's
   * cheaperCompositionSpace: roughly F < C·kh·kw): the conv with the p primaries, then their
   * responses mixed into F, instead of composing the kernel and running the conv with F filters.
   * Inference keeps the cached kernel and one conv, as fast as a Conv2D.
   */
  protected override convolve(x: tf.Tensor4D, options: GroupedConvOptions, outputPositions: number): tf.Tensor4D {
    if (options.differentiable === true && cheaperCompositionSpace(this.spec!, outputPositions) === 'output') {
      const weights = this.tensorWeights();
      return tf.tidy(() => mixedConv(x, weights.primary, mixingMatrix(weights), options));
    }
    return super.convolve(x, options, outputPositions);
  }

  /**
   * Training composes afresh so gradients reach the primaries and coefficients. Otherwise the
   * kernel is recomposed only when a weight changed: every assignment to a tf.Variable
   * (optimizer step, setWeights, loading) gives it a new dataId.
   */
  protected kernel(training: boolean): tf.Tensor4D {
    if (training) return this.composedKernel();
    const sources = [this.primary!, ...this.coefficientVariables].map((v) => v.read().dataId);
    if (this.cached?.sources.every((id, i) => id === sources[i])) return this.cached.kernel;
    this.releaseCache();
    this.cached = { sources, kernel: tf.keep(this.composedKernel()) };
    return this.cached.kernel;
  }

  private tensorWeights(): TensorWeights {
    if (!this.primary) throw new LinearConvError(this.name, 'is not built yet: apply it to an input first');
    const [a, b] = this.coefficientVariables.map((v) => v.read() as tf.Tensor2D);
    const primary = this.primary.read() as tf.Tensor4D;
    return this.coefficients.kind === 'full' ? { primary, coefficients: a } : { primary, column: a, row: b };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      primaryFilters: this.primaryFilters,
      coefficients: { ...this.coefficients },
      coefficientsInitializer: {
        className: this.coefficientsInitializer.getClassName(),
        // Without undefined members (RandomUniform's unset seed), which tfjs's deserialiser cannot read.
        config: JSON.parse(JSON.stringify(this.coefficientsInitializer.getConfig())),
      },
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    // The constructor reads a serialised coefficientsInitializer as tfjs reads any initialiser.
    return new cls(config);
  }

  override dispose(): ReturnType<ConvLayer['dispose']> {
    this.releaseCache();
    return super.dispose();
  }

  private releaseCache(): void {
    this.cached?.kernel.dispose();
    this.cached = undefined;
  }

  /** The layer's settings as core's spec: core validates, its errors renamed to tfjs's arguments. */
  private specFor(inChannels: number, primaryFilters?: number, coefficients?: Coefficients | 'full'): LayerSpec {
    try {
      return layerSpec({
        inChannels,
        outChannels: this.filters,
        ...this.geometry(),
        groups: this.groups,
        useBias: this.conv.useBias,
        primaryFilters,
        coefficients,
      });
    } catch (e) {
      if (e instanceof LinearConvError) throw new LinearConvError(e.field.replace(/^\w+/, (f) => argumentNames[f] ?? f), e.rule);
      throw e;
    }
  }
}

/** An initialiser argument read exactly as tf.layers.conv2d reads `kernelInitializer`. */
function parseInitializer(value: LinearConv2DArgs['coefficientsInitializer']): Initializer {
  if (value === undefined || value === null) return initializers.randomUniform({ minval: -0.1, maxval: 0.1 });
  try {
    const probe = layers.conv2d({ filters: 1, kernelSize: 1, kernelInitializer: value as Initializer });
    return (probe as unknown as { kernelInitializer: Initializer }).kernelInitializer;
  } catch (e) {
    throw new LinearConvError('coefficientsInitializer', `is not an initialiser tfjs knows: ${(e as Error).message}`);
  }
}

const argumentNames: Record<string, string> = { outChannels: 'filters', dilation: 'dilationRate', inChannels: 'input channels' };

/** Same arguments as tf.layers.conv2d, plus primaryFilters, coefficients, groups and explicit padding. */
export function linearConv2d(args: LinearConv2DArgs): LinearConv2D {
  return new LinearConv2D(args);
}

tf.serialization.registerClass(LinearConv2D);
