import {
  checkWeights,
  filterLength,
  type LayerSpec,
  type LayerSpecInput,
  LinearConvError,
  type LinearConvWeights,
  layerSpec,
  outputShape,
  weightShapes,
} from '@linearconv/core';
import { createStorageBuffer, write } from './buffers.js';
import { composeSteps, type WeightBuffers } from './compose.js';
import { type CompositionGradBuffers, composeBackwardSteps } from './compose-backward.js';
import { conv2dBackwardSteps, conv2dStep } from './conv2d.js';
import type { Activation } from './conv-forward.js';
import { convShape, convSizes } from './conv-shape.js';
import { correlationSteps, type RegularizerBuffers } from './correlation.js';
import { orthogonalitySteps } from './orthogonality.js';
import { GpuRuntime, type Step } from './runtime.js';
import { Scratch } from './scratch.js';

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

/**
 * A LinearConv layer on one GPUDevice: holds the stored weights (primaries, coefficients, bias)
 * and the composed bank W in GPU buffers. W is composed on first use and reused until the
 * weights change (`setWeights`, or `weightsChanged()` after writing the weight buffers on the
 * GPU). Inputs and outputs are GPUBuffers, NCHW float32; the buffers a method returns belong
 * to the caller. `dispose()` destroys every buffer the layer holds.
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
  private dirty = true;
  private disposed = false;
  private compositionCount = 0;
  /** Operations submit in call order, so a forward never overtakes the composition it relies on. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(device: GPUDevice, spec: LayerSpec | LayerSpecInput, weights: LinearConvWeights<Float32Array>, options: LinearConvLayerOptions = {}) {
    this.device = device;
    this.runtime = GpuRuntime.for(device);
    this.runtime.checkAlive();
    // A spec passes through layerSpec again: cheap, and a hand-built object gets validated.
    this.spec = layerSpec(spec as LayerSpecInput);
    const activation = options.activation ?? 'none';
    if (!['none', 'relu', 'relu6'].includes(activation)) {
      throw new LinearConvError('activation', `must be 'none', 'relu' or 'relu6', got ${JSON.stringify(activation)}`);
    }
    this.activation = activation;
    this.label = options.label ?? 'linearconv';
    checkWeights(this.spec, weights);
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

  /** Uploads new weights (checked against the spec) and marks W for recomposition. */
  setWeights(weights: LinearConvWeights<Float32Array>): void {
    this.checkUsable();
    checkWeights(this.spec, weights);
    for (const name of ['primary', 'coefficients', 'column', 'row', 'bias'] as const) {
      const data = weights[name];
      if (data) write(this.device, this.weights[name]!, Float32Array.from(data), 0, `weights.${name}`);
    }
    this.dirty = true;
  }

  /** Marks W stale after the weight buffers were changed on the GPU (an optimizer step). */
  weightsChanged(): void {
    this.checkUsable();
    this.dirty = true;
  }

  /** How many times W has been composed: once per weight change, not per forward. */
  get compositions(): number {
    return this.compositionCount;
  }

  /** NCHW output shape for an NCHW input shape. */
  outputShape(inputShape: readonly number[]): [number, number, number, number] {
    return outputShape(this.spec, inputShape);
  }

  /** The composed bank W ([F, C/g, kh, kw]), recomposed only when the weights changed. Owned by the layer. */
  async filters(): Promise<GPUBuffer> {
    this.checkUsable();
    if (this.dirty) await this.run('compose', (scratch) => this.composition(scratch));
    return this.composed;
  }

  /**
   * The layer's output for `input` (NCHW, `inputShape`), into `output` when given, else into a
   * new buffer the caller owns. Resolves once the work is submitted; a download waits for it.
   */
  async forward(input: GPUBuffer, inputShape: readonly number[], output?: GPUBuffer): Promise<GPUBuffer> {
    this.checkUsable();
    const shape = convShape(this.spec, inputShape);
    const result = output ?? createStorageBuffer(this.device, convSizes(shape).output * 4, `${this.label} output`, 'output');
    try {
      await this.run('forward', (scratch) => [
        ...(this.dirty ? this.composition(scratch) : []),
        conv2dStep(shape, { input, filters: this.composed, bias: this.weights.bias, output: result }, this.activation, this.runtime.target),
      ]);
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
  async backward(input: GPUBuffer, inputShape: readonly number[], outputGrad: GPUBuffer, options: { output?: GPUBuffer } = {}): Promise<LayerGradBuffers> {
    this.checkUsable();
    const shape = convShape(this.spec, inputShape);
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
      await this.run('backward', (scratch) => {
        const filterGrad = scratch.buffer(sizes.filters, 'filterGrad');
        return [
          ...(this.dirty ? this.composition(scratch) : []),
          ...conv2dBackwardSteps(
            this.spec,
            shape,
            { input, filters: this.composed, outputGrad, output: options.output },
            { inputGrad: grads.inputGrad, filterGrad, biasGrad: grads.biasGrad },
            this.activation,
            scratch,
            this.runtime.target,
          ),
          ...composeBackwardSteps(this.spec, this.weights, filterGrad, grads, scratch, this.runtime.target),
        ];
      });
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

  /** Destroys every buffer the layer holds; the layer is unusable afterwards. Idempotent. */
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
      await this.run(name, (scratch) => steps(this.weights.primary, p, d, { value, grad }, scratch, this.runtime.target));
    } catch (e) {
      value.destroy();
      grad.destroy();
      throw e;
    }
    return { value, grad };
  }

  private composition(scratch: Scratch): Step[] {
    this.dirty = false;
    this.compositionCount++;
    return composeSteps(this.spec, this.weights, this.composed, scratch, this.runtime.target);
  }

  /** Builds the steps with fresh scratch buffers, submits them, releases the scratch; one at a time. */
  private run(label: string, build: (scratch: Scratch) => Step[]): Promise<void> {
    const next = this.queue.then(() => this.submit(label, build));
    this.queue = next.catch(() => {});
    return next;
  }

  private async submit(label: string, build: (scratch: Scratch) => Step[]): Promise<void> {
    this.checkUsable();
    const scratch = new Scratch(this.device);
    const wasDirty = this.dirty;
    const count = this.compositionCount;
    try {
      await this.runtime.run(`${this.label} ${label}`, build(scratch));
    } catch (e) {
      // Nothing was submitted: W is as stale as before.
      this.dirty = wasDirty;
      this.compositionCount = count;
      throw e;
    } finally {
      scratch.release();
    }
  }

  private checkUsable(): void {
    if (this.disposed) throw new LinearConvError('layer', 'was disposed');
    this.runtime.checkAlive();
  }
}
