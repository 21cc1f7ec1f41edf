/**
 * Training on the wasm backend, at speed.
 *
 * tfjs-backend-wasm 4.x registers the forward convolutions but not three of their gradients
 * (tfjs issue #8474), so `model.fit` on wasm fails for any model with Conv2D / DepthwiseConv2D /
 * SeparableConv2D / LinearConv2D layers; and several kernels a CNN step spends its time in are
 * scalar loops or extra passes over memory there. `enableWasmTraining()` registers the missing
 * kernels and replaces the slow ones, each composed only of kernels the wasm backend already
 * has (XNNPACK convolutions, matmul and pooling, transpose, pad, reshape), so the data never
 * leaves the wasm heap. The kernels live in ./wasm-training/, one per file.
 */
import { getKernel, type KernelFunc, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { batchMatMul } from './wasm-training/batch-mat-mul.js';
import { installBatchNormGradient } from './wasm-training/batch-norm-gradient.js';
import { conv2DBackpropFilter } from './wasm-training/conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './wasm-training/conv2d-backprop-input.js';
import { depthwiseBackpropFilter } from './wasm-training/depthwise-backprop-filter.js';
import { depthwiseBackpropInput } from './wasm-training/depthwise-backprop-input.js';
import { identity } from './wasm-training/identity.js';
import { mean, sum } from './wasm-training/leading-reduction.js';
import { maxPoolGrad } from './wasm-training/max-pool-grad.js';
import { BACKEND, replaced } from './wasm-training/program.js';

/** Kernels wasm lacks: registered where absent (a future wasm release that ships them keeps its own). */
const MISSING: Array<[string, KernelFunc]> = [
  ['Conv2DBackpropFilter', conv2DBackpropFilter],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
];

/** wasm kernels replaced by faster compositions; the originals stay callable from ours. */
const FASTER: Array<[string, KernelFunc]> = [
  ['Conv2DBackpropInput', conv2DBackpropInput],
  ['BatchMatMul', batchMatMul],
  ['Sum', sum],
  ['Mean', mean],
  ['Identity', identity],
  ['MaxPoolGrad', maxPoolGrad],
];

/**
 * Registers the convolution gradient kernels missing from the wasm backend, replaces the wasm
 * kernels a training step spends its time in with faster compositions, and gives FusedBatchNorm
 * a gradient without Tile on wasm. Registration is by backend name, so this may be called
 * before or after `tf.setBackend('wasm')`; calling it again changes nothing.
 */
export function enableWasmTraining(): void {
  for (const [kernelName, kernelFunc] of MISSING) {
    if (getKernel(kernelName, BACKEND) == null) registerKernel({ kernelName, backendName: BACKEND, kernelFunc });
  }
  for (const [kernelName, kernelFunc] of FASTER) {
    const original = getKernel(kernelName, BACKEND);
    if (original == null || original.kernelFunc === kernelFunc) continue;
    replaced.set(kernelName, original.kernelFunc);
    unregisterKernel(kernelName, BACKEND);
    // wasm's setupFunc binds its C++ function when the backend starts; ours calls that kernel.
    registerKernel({ ...original, kernelFunc });
  }
  installBatchNormGradient();
}
