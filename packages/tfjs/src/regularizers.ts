import * as tf from '@tensorflow/tfjs-core';
import { regularizers } from '@tensorflow/tfjs-layers';
import { describe, LinearConvError, requireOptions, requirePositiveInteger } from '@linearconv/core';

/** How strongly, and how often, a regulariser adds its penalty. */
export interface ScheduledRegularizerArgs {
  /** Multiplies the penalty. Default 0.01, the paper's. */
  weight?: number;
  /**
   * Add the penalty on every `every`-th training step only (steps offset, offset + every,
   * offset + 2·every, …), 0 on the others. Default 10, the paper's. Each call of `apply` is one
   * step: tfjs calls it once per batch in `model.fit`, and once per `model.calculateLosses()` in
   * a custom loop.
   */
  every?: number;
  /**
   * The step within each `every` at which the penalty applies: an integer 0 ≤ offset < every.
   * Default 0 (steps 0, 10, 20, …). The authors' code adds it on batches 9, 19, 29, … of each
   * epoch: `offset: 9`, with `resetSchedule()` at every epoch's start.
   */
  offset?: number;
}

// tfjs takes a regulariser instance as is only when it extends its Regularizer base class,
// which the package does not export: reach it through a built-in regulariser.
type RegularizerClass = abstract new () => tf.serialization.Serializable & { apply(x: tf.Tensor): tf.Scalar };
const Regularizer = Object.getPrototypeOf(regularizers.l2({ l2: 0 }).constructor) as RegularizerClass;

/**
 * A tfjs regulariser on a conv kernel whose last axis indexes the filters ([kh, kw, C, F], or a
 * LinearConv2D's primaries [kh, kw, C/g, p]), with the paper's every-n-th-step schedule.
 */
abstract class ScheduledRegularizer extends Regularizer {
  readonly weight: number;
  readonly every: number;
  readonly offset: number;
  #step = 0;

  constructor(args: ScheduledRegularizerArgs = {}) {
    super();
    requireOptions('args', args, ['weight', 'every', 'offset']);
    this.weight = args.weight ?? 0.01;
    this.every = args.every ?? 10;
    this.offset = args.offset ?? 0;
    if (!(typeof this.weight === 'number' && Number.isFinite(this.weight) && this.weight >= 0)) {
      throw new LinearConvError('weight', `must be a finite number ≥ 0, got ${describe(args.weight)}`);
    }
    requirePositiveInteger('every', this.every);
    if (!(Number.isInteger(this.offset) && this.offset >= 0 && this.offset < this.every)) {
      throw new LinearConvError('offset', `must be an integer with 0 ≤ offset < every (${describe(this.every)}), got ${describe(args.offset)}`);
    }
  }

  /**
   * Steps seen since construction or the last `resetSchedule()`: the next `apply` is step number
   * `step`. Writable (an integer ≥ 0), so a resumed run can restore its count.
   */
  get step(): number {
    return this.#step;
  }

  set step(value: number) {
    if (!(Number.isInteger(value) && value >= 0)) throw new LinearConvError('step', `must be an integer ≥ 0, got ${describe(value)}`);
    this.#step = value;
  }

  /** Restarts the count: the next `apply` is step 0 (the authors restart it every epoch). */
  resetSchedule(): void {
    this.#step = 0;
  }

  /**
   * The unweighted penalty of `filters`, [p, D], one filter a row, each already divided by its
   * largest |value| (both penalties are scale-invariant per filter; the scaling keeps float32
   * squares from overflowing or underflowing). A zero filter stays zero.
   */
  protected abstract penalty(filters: tf.Tensor2D): tf.Scalar;

  /**
   * The weighted penalty on the steps the schedule picks, else 0. NaN or ±Inf in `x` gives NaN on
   * those steps, as core's regularisers do, so a diverging run cannot look healthy.
   */
  override apply(x: tf.Tensor): tf.Scalar {
    const step = this.#step++;
    return tf.tidy(() => {
      if (step % this.every !== this.offset) return tf.scalar(0);
      const filters = tf.transpose(tf.reshape(x, [-1, x.shape[x.rank - 1]])) as tf.Tensor2D;
      const largest = tf.max(tf.abs(filters), 1, true);
      const nonzero = tf.step(largest);
      const scaled = tf.div(filters, tf.add(tf.mul(largest, nonzero), tf.sub(1, nonzero))) as tf.Tensor2D;
      // x·0 is 0 for every finite x and NaN for NaN or ±Inf: this term carries them into the
      // penalty whatever the masks and clamps above make of them, and adds no gradient.
      const nonFinite = tf.sum(tf.mul(filters, 0));
      return tf.add(tf.mul(this.penalty(scaled), this.weight), nonFinite);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    // The step count is training state, not configuration: a loaded regulariser starts at 0.
    return { weight: this.weight, every: this.every, offset: this.offset };
  }

  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    // tfjs's deserialiser adds members of its own (customObjects): read only ours.
    // Configs saved before `offset` existed have none: 0, the schedule they were trained with.
    return new cls({ weight: config.weight ?? undefined, every: config.every ?? undefined, offset: config.offset ?? undefined });
  }
}

/**
 * The paper's correlation loss (core's `correlationLoss`, in tf ops so gradients flow):
 * Σ_{i≠j} |C_ij| over the Pearson correlations of the flattened filters, clamped to [−1, 1].
 * NaN or ±Inf in the kernel gives a NaN penalty.
 */
export class CorrelationRegularizer extends ScheduledRegularizer {
  static readonly className = 'LinearConvCorrelation';

  protected penalty(filters: tf.Tensor2D): tf.Scalar {
    const [p, d] = filters.shape;
    if (d < 2) {
      throw new LinearConvError('kernel', `filters of length ${d} have no sample correlation: the correlation regulariser needs D = (C/g)·kh·kw ≥ 2`);
    }
    const centred = tf.sub(filters, tf.mean(filters, 1, true));
    // An explicit transpose, not matMul's transposeB: tfjs-backend-webgl 4.22 gets A·Aᵀ wrong that way
    // (errors up to 0.2 on SwiftShader, found by the browser conformance run).
    const covariance = tf.div(tf.matMul(centred, tf.transpose(centred)), d - 1);
    const variance = tf.div(tf.sum(tf.mul(centred, centred), 1), d - 1);
    // A constant filter's variance is rounding noise: it correlates with nothing. The safe
    // denominator keeps sqrt's gradient finite where the mask discards the value anyway.
    // (The filters are scaled to at most 1 in magnitude: these squares cannot overflow.)
    const meanSquare = tf.mean(tf.mul(filters, filters), 1);
    // Masks are built with step (zero gradient): boolean ops have no gradient in tfjs.
    const valid = tf.step(tf.sub(variance, tf.mul(meanSquare, 1e-10)));
    const std = tf.sqrt(tf.add(tf.mul(variance, valid), tf.sub(1, valid))) as tf.Tensor1D;
    const pairs = tf.outerProduct(valid as tf.Tensor1D, valid as tf.Tensor1D);
    const corr = tf.mul(tf.clipByValue(tf.div(covariance, tf.outerProduct(std, std)), -1, 1), pairs);
    const offDiagonal = tf.sub(tf.onesLike(corr), tf.eye(p));
    return tf.sum(tf.mul(tf.abs(corr), offDiagonal));
  }

  override getClassName(): string {
    return CorrelationRegularizer.className;
  }
}

/**
 * Soft orthogonality of the row-normalised filters, ||V̂·V̂ᵀ − I||²_F (core's `orthogonalityLoss`).
 * NaN or ±Inf in the kernel gives a NaN penalty.
 */
export class OrthogonalityRegularizer extends ScheduledRegularizer {
  static readonly className = 'LinearConvOrthogonality';

  protected penalty(filters: tf.Tensor2D): tf.Scalar {
    // A zero filter normalises to zero (its diagonal then contributes 1), as in core; the safe
    // square keeps sqrt's gradient finite there.
    const squares = tf.sum(tf.mul(filters, filters), 1, true);
    const nonzero = tf.step(squares);
    const unit = tf.div(filters, tf.sqrt(tf.add(tf.mul(squares, nonzero), tf.sub(1, nonzero))));
    const residual = tf.sub(tf.matMul(unit, tf.transpose(unit)), tf.eye(filters.shape[0])); // as above, for WebGL
    return tf.sum(tf.square(residual));
  }

  override getClassName(): string {
    return OrthogonalityRegularizer.className;
  }
}

/**
 * The paper's regulariser: `correlation()` is weight 0.01 on every 10th step (steps 0, 10, …);
 * `correlation({ offset: 9 })` with `resetSchedule()` each epoch is the authors' exact phase.
 */
export function correlation(args?: ScheduledRegularizerArgs): CorrelationRegularizer {
  return new CorrelationRegularizer(args);
}

export function orthogonality(args?: ScheduledRegularizerArgs): OrthogonalityRegularizer {
  return new OrthogonalityRegularizer(args);
}

tf.serialization.registerClass(CorrelationRegularizer);
tf.serialization.registerClass(OrthogonalityRegularizer);
