import type { LayerSpec, LinearConvWeights, Tensor } from '@linearconv/core';
import type { Tolerance } from './case.js';

/** What a case may ask of a backend beyond a plain forward pass. */
export type Capability = 'backward' | 'correlation' | 'groups' | 'dilation' | 'lowRank';

/** `true` when supported; otherwise the reason it is not, which the suite reports as the skip. */
export type Capabilities = Readonly<Record<Capability, true | string>>;

/** Gradients of sum(output · outputGrad), in the shapes of the case's `expected.backward`. */
export interface BackendGradients {
  readonly inputGrad: Tensor;
  readonly primaryGrad: ArrayLike<number>;
  readonly coefficientsGrad?: ArrayLike<number>;
  readonly columnGrad?: ArrayLike<number>;
  readonly rowGrad?: ArrayLike<number>;
  readonly biasGrad?: ArrayLike<number>;
}

/** A layer set up once and run many times: what benchmarks time. */
export interface PreparedLayer {
  /** The output for one input of the shape the layer was prepared for, NCHW, on the CPU. */
  run(input: Tensor<Float32Array>): Promise<Tensor>;
  /** Releases what `prepare` set up (tensors, models, sessions). */
  dispose(): Promise<void> | void;
}

/**
 * One way of running a LinearConv layer. Inputs arrive as Float32Array (the case files hold
 * float32 values); results may be any array of numbers. Every method may be async.
 */
export interface Backend {
  readonly name: string;
  /**
   * What the backend actually runs on, for the record beside its results: the WebGPU adapter
   * (vendor, architecture, description), the WebGL renderer, wasm SIMD/threads, a runtime version.
   */
  readonly adapter?: string;
  readonly capabilities: Capabilities;
  /**
   * What this backend's arithmetic costs. Used when a case names no tolerance of its own, widened
   * by the rounding of how the case's expected values were written (see toleranceFor).
   */
  readonly tolerance: Tolerance;
  /** The composed bank W, OIHW. */
  compose(spec: LayerSpec, weights: LinearConvWeights<Float32Array>): Promise<ArrayLike<number>> | ArrayLike<number>;
  /** The layer's output, NCHW. */
  forward(spec: LayerSpec, weights: LinearConvWeights<Float32Array>, input: Tensor<Float32Array>): Promise<Tensor> | Tensor;
  backward?(
    spec: LayerSpec,
    weights: LinearConvWeights<Float32Array>,
    input: Tensor<Float32Array>,
    outputGrad: Tensor<Float32Array>,
  ): Promise<BackendGradients> | BackendGradients;
  /** The correlation regulariser of the primaries ([p, C/g, kh, kw]) and its gradient. */
  correlation?(
    primary: Float32Array,
    primaryCount: number,
  ): Promise<{ value: number; grad: ArrayLike<number> }> | { value: number; grad: ArrayLike<number> };
  /**
   * Sets the layer up for repeated forward passes on inputs of `inputShape` (NCHW): as LinearConv,
   * or with `plain`, as a plain conv holding the composed filters (the same-shape baseline).
   * `run` returns the output on the CPU. Throws LinearConvError for a shape the layer cannot take.
   */
  prepare?(
    spec: LayerSpec,
    weights: LinearConvWeights<Float32Array>,
    inputShape: readonly number[],
    options: { readonly plain: boolean },
  ): Promise<PreparedLayer>;
  /** Releases whatever the backend holds (tensors, GPU buffers, sessions). */
  dispose(): Promise<void> | void;
}

/**
 * A backend that can be named before it is created. `create` may fail (no GPU adapter, say):
 * the caller reports that backend as unavailable with the error's message.
 */
export interface BackendFactory {
  readonly name: string;
  create(): Promise<Backend>;
}

/** Default tolerances by kind of arithmetic, in one place; frozen, so no caller can loosen another's. */
export const TOLERANCES = Object.freeze({
  /** float64 all the way, as the reference. */
  float64: Object.freeze({ atol: 1e-9, rtol: 1e-9 } as const),
  /** float32 arithmetic on a CPU (tfjs cpu/wasm, onnxruntime). */
  float32: Object.freeze({ atol: 1e-4, rtol: 1e-4 } as const),
  /** GPUs may reorder sums and use fused multiply-add or relaxed precision. */
  gpu: Object.freeze({ atol: 1e-3, rtol: 1e-3 } as const),
}) satisfies Record<string, Tolerance>;
