import { describe, LinearConvError, requirePositiveInteger } from './errors.js';

export type Pair = readonly [number, number];
/** Explicit zero padding: [top, bottom, left, right]. */
export type ExplicitPadding = readonly [number, number, number, number];
/** `same` follows TensorFlow: output = ceil(input / stride), the odd pixel padded at the end. */
export type Padding = 'same' | 'valid' | ExplicitPadding;
export type Coefficients = { readonly kind: 'full' } | { readonly kind: 'lowRank'; readonly rank: number };

/** What a user writes; everything but the channel counts and kernel size has a default. */
export interface LayerSpecInput {
  inChannels: number;
  outChannels: number;
  kernelSize: number | Pair;
  /** Default 1. */
  strides?: number | Pair;
  /** Default `valid`, as in tf.layers.conv2d. */
  padding?: Padding;
  /** Default 1. */
  dilation?: number | Pair;
  /** Default 1; must divide both channel counts. */
  groups?: number;
  /** Default true. */
  useBias?: boolean;
  /** p, the learned filters; default floor(outChannels / 2), the paper's α = 1/2. */
  primaryFilters?: number;
  /** Default full. */
  coefficients?: Coefficients | 'full';
}

/** A validated LinearConv layer: every field present and consistent. */
export interface LayerSpec {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Pair;
  readonly strides: Pair;
  readonly padding: Padding;
  readonly dilation: Pair;
  readonly groups: number;
  readonly useBias: boolean;
  readonly primaryFilters: number;
  readonly coefficients: Coefficients;
}

/** Validates `input` and fills in the defaults. Throws LinearConvError naming the field and rule. */
export function layerSpec(input: LayerSpecInput): LayerSpec {
  if (input === null || typeof input !== 'object') {
    throw new LinearConvError('layer', `must be an object, got ${describe(input)}`);
  }
  const inChannels = requirePositiveInteger('inChannels', input.inChannels);
  const outChannels = requirePositiveInteger('outChannels', input.outChannels);
  if (outChannels < 2) {
    throw new LinearConvError('outChannels', 'must be at least 2: one primary and one secondary filter');
  }
  const groups = requirePositiveInteger('groups', input.groups ?? 1);
  if (inChannels % groups !== 0) {
    throw new LinearConvError('groups', `must divide inChannels (${inChannels}), got ${groups}`);
  }
  if (outChannels % groups !== 0) {
    throw new LinearConvError('groups', `must divide outChannels (${outChannels}), got ${groups}`);
  }
  const primaryFilters = input.primaryFilters ?? Math.floor(outChannels / 2);
  if (!Number.isInteger(primaryFilters) || primaryFilters < 1 || primaryFilters > outChannels - 1) {
    throw new LinearConvError(
      'primaryFilters',
      `must be an integer in 1..${outChannels - 1} (outChannels − 1), got ${describe(primaryFilters)}`,
    );
  }
  const useBias = input.useBias ?? true;
  if (typeof useBias !== 'boolean') {
    throw new LinearConvError('useBias', `must be a boolean, got ${describe(useBias)}`);
  }
  return {
    inChannels,
    outChannels,
    kernelSize: pair('kernelSize', input.kernelSize),
    strides: pair('strides', input.strides ?? 1),
    padding: padding(input.padding ?? 'valid'),
    dilation: pair('dilation', input.dilation ?? 1),
    groups,
    useBias,
    primaryFilters,
    coefficients: coefficients(input.coefficients ?? 'full'),
  };
}

function pair(field: string, value: number | Pair): Pair {
  if (typeof value === 'number') {
    requirePositiveInteger(field, value);
    return [value, value];
  }
  if (!Array.isArray(value) || value.length !== 2) {
    throw new LinearConvError(field, `must be a positive integer or a pair [height, width], got ${describe(value)}`);
  }
  requirePositiveInteger(`${field}[0]`, value[0]);
  requirePositiveInteger(`${field}[1]`, value[1]);
  return [value[0], value[1]];
}

function padding(value: Padding): Padding {
  if (value === 'same' || value === 'valid') return value;
  if (!Array.isArray(value) || value.length !== 4 || !value.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new LinearConvError(
      'padding',
      `must be 'same', 'valid' or [top, bottom, left, right] of non-negative integers, got ${describe(value)}`,
    );
  }
  return [value[0], value[1], value[2], value[3]];
}

function coefficients(value: Coefficients | 'full'): Coefficients {
  if (value === 'full' || (typeof value === 'object' && value !== null && value.kind === 'full')) {
    return { kind: 'full' };
  }
  if (typeof value === 'object' && value !== null && value.kind === 'lowRank') {
    if (!Number.isInteger(value.rank) || value.rank < 1) {
      throw new LinearConvError('coefficients.rank', `must be an integer of at least 1, got ${describe(value.rank)}`);
    }
    return { kind: 'lowRank', rank: value.rank };
  }
  throw new LinearConvError(
    'coefficients',
    `must be 'full', { kind: 'full' } or { kind: 'lowRank', rank }, got ${describe(value)}`,
  );
}

/** Length of one flattened filter: D = (C/g)·kh·kw. */
export function filterLength(spec: Pick<LayerSpec, 'inChannels' | 'groups' | 'kernelSize'>): number {
  return (spec.inChannels / spec.groups) * spec.kernelSize[0] * spec.kernelSize[1];
}

/** s = F − p, the filters built as combinations of the primaries. */
export function secondaryFilters(spec: LayerSpec): number {
  return spec.outChannels - spec.primaryFilters;
}

/** The shapes of every weight the layer stores, and of the composed bank. OIHW. */
export interface WeightShapes {
  readonly primary: readonly number[];
  readonly coefficients?: readonly number[];
  readonly column?: readonly number[];
  readonly row?: readonly number[];
  readonly bias?: readonly number[];
  readonly filters: readonly number[];
}

export function weightShapes(spec: LayerSpec): WeightShapes {
  const [kh, kw] = spec.kernelSize;
  const cg = spec.inChannels / spec.groups;
  const p = spec.primaryFilters;
  const s = secondaryFilters(spec);
  const bias = spec.useBias ? { bias: [spec.outChannels] } : {};
  const coefficients =
    spec.coefficients.kind === 'full'
      ? { coefficients: [s, p] }
      : { column: [s, spec.coefficients.rank], row: [spec.coefficients.rank, p] };
  return { primary: [p, cg, kh, kw], ...coefficients, ...bias, filters: [spec.outChannels, cg, kh, kw] };
}

/** Resolved geometry of one layer on one input size. */
export interface ConvGeometry {
  readonly outHeight: number;
  readonly outWidth: number;
  /** [top, bottom, left, right] */
  readonly padding: ExplicitPadding;
}

type ConvLike = Pick<LayerSpec, 'kernelSize' | 'strides' | 'padding' | 'dilation'>;

/**
 * Output size and explicit padding for an input of `height`×`width`. Throws when the
 * (dilated) kernel is larger than the padded input.
 */
export function convGeometry(spec: ConvLike, height: number, width: number): ConvGeometry {
  requirePositiveInteger('input height', height);
  requirePositiveInteger('input width', width);
  const [top, bottom, outHeight] = axis(spec, 0, height);
  const [left, right, outWidth] = axis(spec, 1, width);
  return { outHeight, outWidth, padding: [top, bottom, left, right] };
}

function axis(spec: ConvLike, i: 0 | 1, size: number): [number, number, number] {
  const extent = (spec.kernelSize[i] - 1) * spec.dilation[i] + 1;
  const stride = spec.strides[i];
  let before: number;
  let after: number;
  if (spec.padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + extent - size, 0);
    before = Math.floor(total / 2);
    after = total - before;
  } else if (spec.padding === 'valid') {
    before = 0;
    after = 0;
  } else {
    before = spec.padding[i * 2];
    after = spec.padding[i * 2 + 1];
  }
  const padded = size + before + after;
  if (extent > padded) {
    const dim = i === 0 ? 'height' : 'width';
    throw new LinearConvError(
      'kernelSize',
      `the ${dim} ${spec.kernelSize[i]} (dilated extent ${extent}) exceeds the padded input ${dim} ${padded}`,
    );
  }
  return [before, after, Math.floor((padded - extent) / stride) + 1];
}

/** NCHW output shape for an NCHW input shape. */
export function outputShape(spec: LayerSpec, inputShape: readonly number[]): [number, number, number, number] {
  if (inputShape.length !== 4) {
    throw new LinearConvError('input.shape', `must be [batch, channels, height, width], got ${describe(inputShape)}`);
  }
  const [n, c, h, w] = inputShape;
  requirePositiveInteger('input.shape[0] (batch)', n);
  if (c !== spec.inChannels) {
    throw new LinearConvError('input.shape[1]', `must equal inChannels (${spec.inChannels}), got ${c}`);
  }
  const g = convGeometry(spec, h, w);
  return [n, spec.outChannels, g.outHeight, g.outWidth];
}
