import { type LayerSpec, LinearConvError } from '@linearconv/core';
import { activationGradProgram } from './activation-grad.js';
import { type Activation, convForwardProgram } from './conv-forward.js';
import { convFilterGradProgram } from './conv-filter-grad.js';
import { convInputGradProgram } from './conv-input-grad.js';
import { type ConvShape, convSizes } from './conv-shape.js';
import { rowSumsProgram } from './reductions.js';
import type { Step } from './runtime.js';
import type { Scratch } from './scratch.js';
import type { TileTarget } from './tiles.js';

/** The forward step: output = act(conv2d(input, filters) + bias). */
export function conv2dStep(
  shape: ConvShape,
  buffers: { input: GPUBuffer; filters: GPUBuffer; bias?: GPUBuffer; output: GPUBuffer },
  activation: Activation,
  target?: TileTarget,
): Step {
  const program = convForwardProgram(shape, { bias: buffers.bias !== undefined, activation, target });
  const { input, filters, bias, output } = buffers;
  return { program, buffers: bias ? [input, filters, bias, output] : [input, filters, output] };
}

export interface ConvGradBuffers {
  readonly inputGrad: GPUBuffer;
  readonly filterGrad: GPUBuffer;
  /** Written when given: Σ of the output gradient over batch and pixels, per output channel. */
  readonly biasGrad?: GPUBuffer;
}

/**
 * The backward steps of conv2d: through the fused activation (from the forward output), then
 * input, filter and bias gradients.
 */
export function conv2dBackwardSteps(
  spec: Pick<LayerSpec, 'outChannels'>,
  shape: ConvShape,
  buffers: { input: GPUBuffer; filters: GPUBuffer; outputGrad: GPUBuffer; output?: GPUBuffer },
  grads: ConvGradBuffers,
  activation: Activation,
  scratch: Scratch,
  target?: TileTarget,
): Step[] {
  const sizes = convSizes(shape);
  const steps: Step[] = [];
  let dy = buffers.outputGrad;
  if (activation !== 'none') {
    if (!buffers.output) {
      throw new LinearConvError('output', `is required: backward through the fused ${activation} needs the forward output`);
    }
    const preActivation = scratch.buffer(sizes.output, 'preActivationGrad');
    steps.push({ program: activationGradProgram(activation, sizes.output), buffers: [buffers.output, dy, preActivation] });
    dy = preActivation;
  }
  steps.push({ program: convInputGradProgram(shape, target), buffers: [dy, buffers.filters, grads.inputGrad] });
  steps.push({ program: convFilterGradProgram(shape, target), buffers: [buffers.input, dy, grads.filterGrad] });
  if (grads.biasGrad) {
    const sums = rowSumsProgram(
      spec.outChannels,
      { blocks: shape.batch, blockStride: spec.outChannels * sizes.outPlane, length: sizes.outPlane },
      false,
      { x: 'outputGrad', sums: 'biasGrad', xFloats: sizes.output },
    );
    steps.push({ program: sums, buffers: [dy, grads.biasGrad] });
  }
  return steps;
}
