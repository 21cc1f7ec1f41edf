import {
  composeFilters,
  convGeometry,
  correlationLoss,
  createRandom,
  filterLength,
  initialWeights,
  type LayerSpecInput,
  layerSpec,
  linearConvBackward,
  linearConvForward,
  outputShape,
  sizeOf,
  weightShapes,
  weightsAsFloat64,
} from '@linearconv/core';
import { CASE_FORMAT, type ExpectedPrecision, type Tolerance } from './case.js';

/** A case to generate: the layer (any padding form), the input size, and a seed for its data. */
export interface CaseDefinition {
  readonly name: string;
  readonly description: string;
  readonly layer: LayerSpecInput;
  /** [N, H, W]; C comes from the layer. */
  readonly input: readonly [number, number, number];
  readonly seed: number;
  readonly tolerance?: Tolerance;
  /**
   * How to write the expected values (computed in float64 either way): at float64 precision
   * (the default, 15 significant digits) or rounded to float32, as a PyTorch export writes them.
   */
  readonly expectedPrecision?: ExpectedPrecision;
}

type JsonTensor = { shape: number[]; data: number[] };

const WEIGHT_NAMES = ['primary', 'coefficients', 'column', 'row', 'bias'] as const;

/**
 * Builds a `linearconv-case@1` document: float32 inputs and weights drawn from the seed,
 * every expectation computed by core's float64 reference and written at `expectedPrecision`.
 */
export function generateCase(definition: CaseDefinition): Record<string, unknown> {
  const precision = definition.expectedPrecision ?? 'float64';
  const expectedTensor = precision === 'float64' ? fullTensor : float32Tensor;
  const expectedValue = precision === 'float64' ? fifteenDigits : shortestFloat32;
  const [n, h, w] = definition.input;
  // Case files hold explicit padding: resolve `same`/`valid` for this input size.
  const resolved = layerSpec(definition.layer);
  const spec = layerSpec({ ...definition.layer, padding: convGeometry(resolved, h, w).padding });
  const random = createRandom(definition.seed);
  const weights = initialWeights(spec, random);
  const inputShape = [n, spec.inChannels, h, w];
  const input = { shape: inputShape, data: normals(random, sizeOf(inputShape)) };
  const outShape = outputShape(spec, inputShape);
  const outputGrad = { shape: outShape, data: normals(random, sizeOf(outShape)) };

  const filters = composeFilters(spec, weightsAsFloat64(weights));
  const output = linearConvForward(spec, weights, input);
  const grads = linearConvBackward(spec, weights, input, outputGrad);
  const shapes = weightShapes(spec);
  const stored: Record<string, JsonTensor> = {};
  const backward: Record<string, JsonTensor> = {
    outputGrad: float32Tensor(outShape, outputGrad.data),
    inputGrad: expectedTensor(inputShape, grads.inputGrad.data),
  };
  for (const name of WEIGHT_NAMES) {
    const shape = shapes[name];
    if (!shape) continue;
    stored[name] = float32Tensor(shape, weights[name]!);
    backward[`${name}Grad`] = expectedTensor(shape, grads[`${name}Grad`]!);
  }

  const expected: Record<string, unknown> = {
    filters: expectedTensor(shapes.filters, filters),
    output: expectedTensor(outShape, output.data),
  };
  // The correlation of filters of length 1 is undefined (core refuses it), so such cases omit it.
  if (filterLength(spec) >= 2) {
    const correlation = correlationLoss(Float64Array.from(weights.primary), spec.primaryFilters);
    expected.correlation = { value: expectedValue(correlation.value), primaryGrad: expectedTensor(shapes.primary, correlation.grad) };
  }
  expected.backward = backward;

  return {
    format: CASE_FORMAT,
    name: definition.name,
    description: definition.description,
    layer: {
      inChannels: spec.inChannels,
      outChannels: spec.outChannels,
      kernelSize: spec.kernelSize,
      strides: spec.strides,
      padding: spec.padding,
      dilation: spec.dilation,
      groups: spec.groups,
      useBias: spec.useBias,
      primaryFilters: spec.primaryFilters,
      coefficients: spec.coefficients,
    },
    input: float32Tensor(inputShape, input.data),
    weights: stored,
    expectedPrecision: precision,
    expected,
    ...(definition.tolerance && { tolerance: definition.tolerance }),
  };
}

function normals(random: ReturnType<typeof createRandom>, length: number): Float32Array {
  return Float32Array.from({ length }, () => random.normal());
}

function float32Tensor(shape: readonly number[], data: ArrayLike<number>): JsonTensor {
  return { shape: [...shape], data: Array.from(data, shortestFloat32) };
}

function fullTensor(shape: readonly number[], data: ArrayLike<number>): JsonTensor {
  return { shape: [...shape], data: Array.from(data, fifteenDigits) };
}

/** 15 significant digits: float64 precision for every tolerance, and a third shorter than full doubles. */
function fifteenDigits(value: number): number {
  return Number(value.toPrecision(15));
}

/** The shortest decimal that reads back as the same float32. */
export function shortestFloat32(value: number): number {
  const f = Math.fround(value);
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}
