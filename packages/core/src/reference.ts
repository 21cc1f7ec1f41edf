/**
 * Float64 reference 2-D convolution, forward and backward: the ground truth every backend is
 * checked against. Plain loops on purpose; speed is not a goal here.
 * Layouts: activations NCHW, filters OIHW ([outChannels, inChannels / groups, kh, kw]), row-major.
 *
 * Non-finite values propagate (IEEE arithmetic, nothing masked) through every product the
 * convolution forms. Taps that land in the zero padding are not formed, as in tfjs and most
 * backends, so a NaN filter tap reaches exactly the outputs where it meets the input.
 */
import { describe, isPositiveInteger, LinearConvError } from './errors.js';
import { convGeometry, type ExplicitPadding, MAX_ELEMENTS, MAX_SIZE, type Pair, requireSize } from './spec.js';
import { type FloatArray, requireLength, type Tensor } from './tensor.js';

export interface Conv2DOptions {
  /** [sh, sw] */
  readonly strides: Pair;
  /** [top, bottom, left, right], zeros. */
  readonly padding: ExplicitPadding;
  /** [dh, dw] */
  readonly dilation: Pair;
  readonly groups: number;
}

export interface Conv2DGradients {
  readonly inputGrad: Tensor<Float64Array>;
  readonly filterGrad: Tensor<Float64Array>;
  /** Sum of outputGrad over N, H, W per output channel. */
  readonly biasGrad: Float64Array;
}

/**
 * y[n,o,i,j] = bias[o] + Σ_{c ∈ group(o)} Σ_{u,v} x[n, c, i·sh − top + u·dh, j·sw − left + v·dw] · w[o, c − groupStart, u, v],
 * reading zeros outside the input. Always computes and returns float64.
 */
export function conv2d(
  input: Tensor,
  filters: Tensor,
  bias: FloatArray | undefined,
  options: Conv2DOptions,
): Tensor<Float64Array> {
  const g = validate(input, filters, options);
  if (bias !== undefined) requireLength('bias', bias, [g.f]);
  const x = input.data;
  const w = filters.data;
  const y = new Float64Array(g.n * g.f * g.oh * g.ow);
  if (bias !== undefined) {
    const plane = g.oh * g.ow;
    for (let k = 0; k < y.length; k++) y[k] = bias[Math.floor(k / plane) % g.f];
  }
  forEachTap(g, (yi, xi, wi) => {
    y[yi] += x[xi] * w[wi];
  });
  return { shape: [g.n, g.f, g.oh, g.ow], data: y };
}

/** Gradients of sum(conv2d(input, filters, bias) · outputGrad). */
export function conv2dBackward(
  input: Tensor,
  filters: Tensor,
  outputGrad: Tensor,
  options: Conv2DOptions,
): Conv2DGradients {
  const g = validate(input, filters, options);
  const expected = [g.n, g.f, g.oh, g.ow];
  const shape = outputGrad?.shape;
  if (!Array.isArray(shape) || shape.length !== 4 || shape.some((d, k) => d !== expected[k])) {
    throw new LinearConvError(
      'outputGrad.shape',
      `must equal the forward output shape [${expected.join(', ')}], got ${describe(shape)}`,
    );
  }
  const dy = requireLength('outputGrad.data', outputGrad.data, expected);
  const x = input.data;
  const w = filters.data;
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const db = new Float64Array(g.f);
  // Every tap that contributes x·w to y[yi] sends dy[yi] back along the same product.
  forEachTap(g, (yi, xi, wi) => {
    dx[xi] += w[wi] * dy[yi];
    dw[wi] += x[xi] * dy[yi];
  });
  const plane = g.oh * g.ow;
  for (let k = 0; k < dy.length; k++) db[Math.floor(k / plane) % g.f] += dy[k];
  return {
    inputGrad: { shape: [...input.shape], data: dx },
    filterGrad: { shape: [...filters.shape], data: dw },
    biasGrad: db,
  };
}

/** Checked sizes of one conv: input [n, c, h, w], filters [f, c / groups, kh, kw], output [n, f, oh, ow]. */
interface Geometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly f: number;
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  readonly groups: number;
  readonly strides: Pair;
  readonly padding: ExplicitPadding;
  readonly dilation: Pair;
}

function validate(input: Tensor, filters: Tensor, options: Conv2DOptions): Geometry {
  if (options === null || typeof options !== 'object') {
    throw new LinearConvError('options', `must be an object { strides, padding, dilation, groups }, got ${describe(options)}`);
  }
  const strides = positivePair('options.strides', options.strides);
  const dilation = positivePair('options.dilation', options.dilation);
  const p = options.padding;
  if (!Array.isArray(p) || p.length !== 4 || !p.every((v) => Number.isInteger(v) && v >= 0 && v <= MAX_SIZE)) {
    throw new LinearConvError(
      'options.padding',
      `must be [top, bottom, left, right] of integers in 0..${MAX_SIZE}, got ${describe(p)}`,
    );
  }
  const padding: ExplicitPadding = [p[0], p[1], p[2], p[3]];
  const groups = requireSize('options.groups', options.groups);

  const [n, c, h, w] = shape4('input', input, 'batch, channels, height, width');
  const [f, cg, kh, kw] = shape4('filters', filters, 'outChannels, inChannels / groups, height, width');
  if (c % groups !== 0) {
    throw new LinearConvError('options.groups', `must divide the input channels (${c}), got ${groups}`);
  }
  if (f % groups !== 0) {
    throw new LinearConvError('options.groups', `must divide the output channels (${f}), got ${groups}`);
  }
  if (cg !== c / groups) {
    throw new LinearConvError(
      'filters.shape',
      `dimension 1 must equal input channels / groups (${c} / ${groups} = ${c / groups}), got ${cg}`,
    );
  }
  requireLength('input.data', input.data, input.shape);
  requireLength('filters.data', filters.data, filters.shape);
  requireSize('input.shape[2]', h);
  requireSize('input.shape[3]', w);
  let geometry: ReturnType<typeof convGeometry>;
  try {
    geometry = convGeometry({ kernelSize: [kh, kw], strides, padding, dilation }, h, w);
  } catch (error) {
    // convGeometry speaks of a layer's kernelSize; here the kernel is the filters argument.
    if (error instanceof LinearConvError) throw new LinearConvError('filters.shape', error.rule);
    throw error;
  }
  const outputs = n * f * geometry.outHeight * geometry.outWidth;
  if (outputs > MAX_ELEMENTS) {
    throw new LinearConvError(
      'options.padding',
      `the output [${n}, ${f}, ${geometry.outHeight}, ${geometry.outWidth}] would hold ${outputs} values, above the limit ${MAX_ELEMENTS} (2^31 − 1)`,
    );
  }
  return { n, c, h, w, f, kh, kw, oh: geometry.outHeight, ow: geometry.outWidth, groups, strides, padding, dilation };
}

function positivePair(field: string, value: unknown): Pair {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => isPositiveInteger(v) && v <= MAX_SIZE)) {
    throw new LinearConvError(field, `must be a pair [height, width] of integers in 1..${MAX_SIZE}, got ${describe(value)}`);
  }
  return [value[0], value[1]];
}

function shape4(name: string, tensor: Tensor, dims: string): number[] {
  const shape = tensor?.shape;
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every(isPositiveInteger)) {
    throw new LinearConvError(`${name}.shape`, `must be [${dims}] of positive integers, got ${describe(shape)}`);
  }
  return [...shape];
}

/**
 * Calls visit(outputIndex, inputIndex, filterIndex) once for every product x·w that the
 * convolution adds into an output element; taps that land in the zero padding are skipped.
 * Forward and backward share it, so they cannot disagree about which products exist.
 */
function forEachTap(g: Geometry, visit: (yi: number, xi: number, wi: number) => void): void {
  const cg = g.c / g.groups;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilation;
  const top = g.padding[0];
  const left = g.padding[2];
  for (let n = 0; n < g.n; n++) {
    for (let o = 0; o < g.f; o++) {
      const c0 = Math.floor((o * g.groups) / g.f) * cg;
      for (let i = 0; i < g.oh; i++) {
        for (let j = 0; j < g.ow; j++) {
          const yi = ((n * g.f + o) * g.oh + i) * g.ow + j;
          for (let c = 0; c < cg; c++) {
            for (let u = 0; u < g.kh; u++) {
              const r = i * sh - top + u * dh;
              if (r < 0 || r >= g.h) continue;
              for (let v = 0; v < g.kw; v++) {
                const s = j * sw - left + v * dw;
                if (s < 0 || s >= g.w) continue;
                visit(yi, ((n * g.c + c0 + c) * g.h + r) * g.w + s, ((o * cg + c) * g.kh + u) * g.kw + v);
              }
            }
          }
        }
      }
    }
  }
}
