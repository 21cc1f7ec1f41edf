import { checkWeights, describe, filterLength, type LayerSpec, layerSpec, type LayerSpecInput, LinearConvError, type LinearConvWeights, requireObject, requireOptions, weightShapes } from '@linearconv/core';
import { BufferUsage, createStorageBuffer, write } from './buffers.js';
import { composeSteps, type WeightBuffers } from './compose.js';
import { type CompositionGradBuffers, composeBackwardSteps } from './compose-backward.js';
import { conv2dBackwardSteps, conv2dStep } from './conv2d.js';
import type { Activation } from './conv-forward.js';
import { convShape, convSizes } from './conv-shape.js';
import { correlationSteps, type RegularizerBuffers } from './correlation.js';
import { requireBuffer, requireString } from './gpu-arguments.js';
import { orthogonalitySteps } from './orthogonality.js';
import { GpuRuntime, type Step } from './runtime.js';
import { Scratch } from './scratch.js';
import { snapshotReads } from './snapshot.js';

export interface LinearConvLayerOptions {
  /** Fused into the forward kernel; backward then needs the forward output. Default `none`. */
  readonly activation?: Activation;
  /** Prefix of the layer's buffer labels. */
  readonly label?: string;
}

/** Gradients of sum(output · outputGrad) for every stored weight and the input; the caller owns them. */
export interface LayerGradBuffers extends CompositionGradBuffers {
  readonly inputGrad: GPUBuffer;
  readonly biasGrad?: GPUBuffer;
}

/** One composition of W, as calls made after it rely on it until the weights change; `error` once it failed. */
interface Composition {
  error?: unknown;
}

/**
 * A LinearConv layer on one GPUDevice: holds the stored weights (primaries, coefficients, bias)
 * and the composed bank W in GPU buffers. W is composed on first use and reused until the
 * weights change (`setWeights`, or `weightsChanged()` after writing the weight buffers on the
 * GPU). Inputs and outputs are GPUBuffers, NCHW float32; the buffers a method returns belong
 * to the caller. `dispose()` destroys every buffer the layer holds.
 *
 * Calls take effect in call order, awaited or not: each uses the weights in force when it was
 * called. Work that cannot be submitted at once (a pipeline still compiling, earlier work queued)
 * reads a snapshot of the stored weights taken when it was called.
 */
export class LinearConvLayer {
  readonly device: GPUDevice;
  readonly spec: LayerSpec;
  readonly activation: Activation;
  /** The stored weights, in core's layouts; write them and call `weightsChanged()`, or use `setWeights`. */
  readonly weights: WeightBuffers;
  private readonly runtime: GpuRuntime;
  private readonly composed: GPUBuffer;
  private readonly label: string;
  /** Whether W is stale at this point of the call order: calls change it when made, not when their work runs. */
  private dirty = true;
  private disposed = false;
  private compositionCount = 0;
  /** The composition the current W comes from. */
  private composition: Composition | undefined;

  constructor(device: GPUDevice, spec: LayerSpec | LayerSpecInput, weights: LinearConvWeights<Float32Array>, options?: LinearConvLayerOptions) {
    this.runtime = GpuRuntime.for(device);
    this.device = device;
    this.runtime.checkAlive();
    requireObject('spec', spec, "a layer spec (core's layerSpec) or its input");
    // A spec passes through layerSpec again: cheap, and a hand-built object gets validated.
    this.spec = layerSpec(spec as LayerSpecInput);
    const { activation = 'none', label = 'linearconv' } = requireOptions('options', options, ['activation', 'label']);
    if (!['none', 'relu', 'relu6'].includes(activation)) {
      throw new LinearConvError('activation', `must be 'none', 'relu' or 'relu6', got ${describe(activation)}`);
    }
    this.activation = activation;
    this.label = requireString('label', label);
    checkWeightObject(this.spec, weights);
    const shapes = weightShapes(this.spec);
    const created: GPUBuffer[] = [];
    const buffer = (name: string, shape: readonly number[] | undefined) => {
      if (!shape) return undefined;
      const floats = shape.reduce((a, b) => a * b, 1);
      const b = createStorageBuffer(device, floats * 4, `${this.label} ${name}`, `weights.${name}`);
      created.push(b);
      return b;
    };
    try {
      this.weights = {
        primary: buffer('primary', shapes.primary)!,
        coefficients: buffer('coefficients', shapes.coefficients),
        column: buffer('column', shapes.column),
        row: buffer('row', shapes.row),
        bias: buffer('bias', shapes.bias),
      };
      this.composed = buffer('filters', shapes.filters)!;
    } catch (e) {
      for (const b of created) b.destroy();
      throw e;
    }
    this.setWeights(weights);
  }

  /**
   * Uploads new weights (checked against the spec) and marks W for recomposition. Calls made
   * before, even unfinished, keep the weights they were called with.
   */
  setWeights(weights: LinearConvWeights<Float32Array>): void {
    this.checkUsable();
    checkWeightObject(this.spec, weights);
    for (const name of ['primary', 'coefficients', 'column', 'row', 'bias'] as const) {
      const data = weights[name];
      if (data) write(this.device, this.weights[name]!, Float32Array.from(data), 0, `weights.${name}`);
    }
    this.dirty = true;
  }

  /**
   * Marks W stale after the weight buffers were changed on the GPU (an optimizer step). Calls
   * made before the buffers were written keep the weights they were called with.
   */
  weightsChanged(): void {
    this.checkUsable();
    this.dirty = true;
  }

  /** How many times W has been composed (as called): once per weight change, not per forward. */
  get compositions(): number {
    return this.compositionCount;
  }

  /** NCHW output shape for an NCHW input shape. */
  outputShape(inputShape: readonly number[]): [number, number, number, number] {
    const s = convShape(this.spec, inputShape);
    return [s.batch, s.outChannels, s.outHeight, s.outWidth];
  }

  /**
   * The composed bank W ([F, C/g, kh, kw]), recomposed only when the weights changed. Owned by
   * the layer: later weight changes recompose it in place.
   */
  async filters(): Promise<GPUBuffer> {
    await this.submit('compose', () => [], true);
    return this.composed;
  }

  /**
   * The layer's output for `input` (NCHW, `inputShape`), into `output` when given, else into a
   * new buffer the caller owns. Resolves once the work is submitted; a download waits for it.
   */
  async forward(input: GPUBuffer, inputShape: readonly number[], output?: GPUBuffer): Promise<GPUBuffer> {
    this.checkUsable();
    const shape = convShape(this.spec, inputShape);
    requireBuffer('input', input, BufferUsage.STORAGE);
    if (output !== undefined) requireBuffer('output', output, BufferUsage.STORAGE);
    const result = output ?? createStorageBuffer(this.device, convSizes(shape).output * 4, `${this.label} output`, 'output');
    try {
      await this.submit(
        'forward',
        () => [conv2dStep(shape, { input, filters: this.composed, bias: this.weights.bias, output: result }, this.activation, this.runtime.target)],
        true,
      );
    } catch (e) {
      if (!output) result.destroy();
      throw e;
    }
    return result;
  }

  /**
   * Gradients of sum(output · outputGrad) with respect to the input and every stored weight:
   * conv backward, then back through the composition. With a fused activation, `output` (the
   * forward result) is required. Every returned buffer is new and owned by the caller.
   */
  async backward(input: GPUBuffer, inputShape: readonly number[], outputGrad: GPUBuffer, options?: { output?: GPUBuffer }): Promise<LayerGradBuffers> {
    this.checkUsable();
    const shape = convShape(this.spec, inputShape);
    requireBuffer('input', input, BufferUsage.STORAGE);
    requireBuffer('outputGrad', outputGrad, BufferUsage.STORAGE);
    const { output } = requireOptions('options', options, ['output']);
    if (output !== undefined) requireBuffer('output', output, BufferUsage.STORAGE);
    const sizes = convSizes(shape);
    const shapes = weightShapes(this.spec);
    const owned: GPUBuffer[] = [];
    const buffer = (name: string, floats: number) => {
      const b = createStorageBuffer(this.device, floats * 4, `${this.label} ${name}`, name);
      owned.push(b);
      return b;
    };
    const count = (s: readonly number[] | undefined) => (s ? s.reduce((a, b) => a * b, 1) : 0);
    try {
      const grads = {
        inputGrad: buffer('inputGrad', sizes.input),
        primaryGrad: buffer('primaryGrad', count(shapes.primary)),
        ...(shapes.coefficients && { coefficientsGrad: buffer('coefficientsGrad', count(shapes.coefficients)) }),
        ...(shapes.column && { columnGrad: buffer('columnGrad', count(shapes.column)) }),
        ...(shapes.row && { rowGrad: buffer('rowGrad', count(shapes.row)) }),
        ...(shapes.bias && { biasGrad: buffer('biasGrad', count(shapes.bias)) }),
      };
      await this.submit(
        'backward',
        (scratch) => {
          const filterGrad = scratch.buffer(sizes.filters, 'filterGrad');
          return [
            ...conv2dBackwardSteps(
              this.spec,
              shape,
              { input, filters: this.composed, outputGrad, output },
              { inputGrad: grads.inputGrad, filterGrad, biasGrad: grads.biasGrad },
              this.activation,
              scratch,
              this.runtime.target,
            ),
            ...composeBackwardSteps(this.spec, this.weights, filterGrad, grads, scratch, this.runtime.target),
          ];
        },
        true,
      );
      return grads;
    } catch (e) {
      for (const b of owned) b.destroy();
      throw e;
    }
  }

  /** The paper's correlation loss of the primaries: a 1-float value buffer and its gradient ([p, C/g, kh, kw]). */
  correlation(): Promise<RegularizerBuffers> {
    return this.regularizer('correlation', correlationSteps);
  }

  /** The soft orthogonality loss of the normalised primaries, value and gradient. */
  orthogonality(): Promise<RegularizerBuffers> {
    return this.regularizer('orthogonality', orthogonalitySteps);
  }

  /** Destroys every buffer the layer holds; the layer is unusable afterwards, and its queued calls fail. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of [...Object.values(this.weights), this.composed]) b?.destroy();
  }

  private async regularizer(name: string, steps: typeof correlationSteps): Promise<RegularizerBuffers> {
    this.checkUsable();
    const p = this.spec.primaryFilters;
    const d = filterLength(this.spec);
    const value = createStorageBuffer(this.device, 4, `${this.label} ${name}`, 'value');
    const grad = createStorageBuffer(this.device, p * d * 4, `${this.label} ${name} grad`, 'grad');
    try {
      await this.submit(name, (scratch) => steps(this.weights.primary, p, d, { value, grad }, scratch, this.runtime.target), false);
    } catch (e) {
      value.destroy();
      grad.destroy();
      throw e;
    }
    return { value, grad };
  }

  /**
   * One operation, in call order: its steps are built against the layer as it is now (W
   * recomposed first when stale and `usesFilters`), checked, then submitted at once, or queued
   * with a snapshot of the stored weights they read. The scratch goes once they are submitted.
   */
  private async submit(label: string, build: (scratch: Scratch) => Step[], usesFilters: boolean): Promise<void> {
    this.checkUsable();
    const scratch = new Scratch(this.device);
    try {
      const composing = usesFilters && this.dirty;
      let steps = [...(composing ? composeSteps(this.spec, this.weights, this.composed, scratch, this.runtime.target) : []), ...build(scratch)];
      this.runtime.check(steps);
      if (!this.runtime.submitsAtOnce(steps)) steps = snapshotReads(this.runtime, steps, Object.values(this.weights), scratch);
      // From here on the call has happened: later calls see W composed from these weights.
      const relied = composing ? {} : usesFilters ? this.composition : undefined;
      if (composing) {
        this.dirty = false;
        this.compositionCount++;
        this.composition = relied;
      }
      try {
        await this.runtime.run(`${this.label} ${label}`, steps, {
          beforeSubmit: () => {
            this.checkUsable();
            // A composition that failed leaves W stale for every call that relied on it.
            if (!composing && relied?.error !== undefined) throw relied.error;
          },
        });
      } catch (e) {
        if (composing && relied) {
          relied.error = e;
          this.compositionCount--;
          if (this.composition === relied) this.dirty = true;
        }
        throw e;
      }
    } finally {
      scratch.release();
    }
  }

  private checkUsable(): void {
    if (this.disposed) throw new LinearConvError('layer', 'was disposed');
    this.runtime.checkAlive();
  }
}

/** `weights` checked against the spec (LinearConvError naming `weights` or the member). */
function checkWeightObject(spec: LayerSpec, weights: LinearConvWeights<Float32Array>): void {
  requireObject('weights', weights, '{ primary, coefficients | column and row, bias }');
  checkWeights(spec, weights);
}
