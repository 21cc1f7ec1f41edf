import type { PlainConvSpec } from './accounting.js';
import { describe, LinearConvError, requireObject, requirePositiveInteger } from './errors.js';
import { sizeOf } from './tensor.js';

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

/**
 * The largest size (channels, kernel, strides, dilation, padding, groups, rank, p, input height and
 * width) a spec accepts: 2^24, below which every size is exact in float32 as well as in float64,
 * so GPU shaders and tfjs shapes index it exactly.
 */
export const MAX_SIZE = 2 ** 24;
/**
 * The most values one weight, the composed bank or a reference conv's output may hold: 2^31 − 1,
 * so every element index is an exact int32 and every array can be allocated.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

const layerKeys = [
  'inChannels',
  'outChannels',
  'kernelSize',
  'strides',
  'padding',
  'dilation',
  'groups',
  'useBias',
  'primaryFilters',
  'coefficients',
] as const;

/**
 * Validates `input` and fills in the defaults. Throws LinearConvError naming the field and rule;
 * an unknown member (a typo such as `stride`) is refused rather than ignored.
 */
export function layerSpec(input: LayerSpecInput): LayerSpec {
  return parseLayerSpec(input, '', 'layer');
}

/**
 * `value` as a validated LayerSpec (a LayerSpecInput is accepted and normalised), for functions
 * that take a spec: errors name `field` and the member, such as `spec.kernelSize`.
 */
export function requireLayerSpec(field: string, value: unknown): LayerSpec {
  return parseLayerSpec(value as LayerSpecInput, `${field}.`, field);
}

/**
 * `value` as a validated plain conv (a LayerSpec's conv fields; a LayerSpec is accepted, its
 * LinearConv fields ignored). outChannels may be 1.
 */
export function requireConvSpec(field: string, value: unknown): PlainConvSpec {
  requireObject(field, value, 'a conv spec { inChannels, outChannels, kernelSize, … }');
  return parseConv(value as LayerSpecInput, `${field}.`, field, 1);
}

function parseLayerSpec(input: LayerSpecInput, prefix: string, field: string): LayerSpec {
  requireObject(field, input, 'an object { inChannels, outChannels, kernelSize, … }');
  for (const key of Object.keys(input)) {
    if (!(layerKeys as readonly string[]).includes(key) && (input as unknown as Record<string, unknown>)[key] !== undefined) {
      throw new LinearConvError(`${prefix}${key}`, `is not a layer setting (known: ${layerKeys.join(', ')})`);
    }
  }
  const conv = parseConv(input, prefix, field, 2);
  const { outChannels } = conv;
  const primaryFilters = input.primaryFilters ?? Math.floor(outChannels / 2);
  if (!Number.isInteger(primaryFilters) || primaryFilters < 1 || primaryFilters > outChannels - 1) {
    throw new LinearConvError(
      `${prefix}primaryFilters`,
      `must be an integer in 1..${outChannels - 1} (outChannels − 1), got ${describe(primaryFilters)}`,
    );
  }
  const coefficients = requireCoefficients(`${prefix}coefficients`, input.coefficients ?? 'full');
  const spec: LayerSpec = { ...conv, primaryFilters, coefficients };
  // Every weight must be allocatable and indexable: see MAX_ELEMENTS.
  for (const [name, shape] of Object.entries(shapesOf(spec))) {
    const count = sizeOf(shape as readonly number[]);
    if (count > MAX_ELEMENTS) {
      const culprit = name === 'column' || name === 'row' ? `${prefix}coefficients.rank` : field;
      throw new LinearConvError(
        culprit,
        `the ${name === 'filters' ? 'composed bank' : `weight ${name}`} [${shape.join(', ')}] would hold ${count} values, above the limit ${MAX_ELEMENTS} (2^31 − 1)`,
      );
    }
  }
  return spec;
}

function parseConv(input: LayerSpecInput, prefix: string, field: string, minOut: 1 | 2): PlainConvSpec {
  const inChannels = requireSize(`${prefix}inChannels`, input.inChannels);
  const outChannels = requireSize(`${prefix}outChannels`, input.outChannels);
  if (outChannels < minOut) {
    throw new LinearConvError(`${prefix}outChannels`, 'must be at least 2: one primary and one secondary filter');
  }
  const groups = requireSize(`${prefix}groups`, input.groups ?? 1);
  if (inChannels % groups !== 0) {
    throw new LinearConvError(`${prefix}groups`, `must divide inChannels (${inChannels}), got ${groups}`);
  }
  if (outChannels % groups !== 0) {
    throw new LinearConvError(`${prefix}groups`, `must divide outChannels (${outChannels}), got ${groups}`);
  }
  const useBias = input.useBias ?? true;
  if (typeof useBias !== 'boolean') {
    throw new LinearConvError(`${prefix}useBias`, `must be a boolean, got ${describe(useBias)}`);
  }
  const conv: PlainConvSpec = {
    inChannels,
    outChannels,
    kernelSize: pair(`${prefix}kernelSize`, input.kernelSize),
    strides: pair(`${prefix}strides`, input.strides ?? 1),
    padding: parsePadding(`${prefix}padding`, input.padding ?? 'valid'),
    dilation: pair(`${prefix}dilation`, input.dilation ?? 1),
    groups,
    useBias,
  };
  const filters = outChannels * filterLength(conv);
  if (filters > MAX_ELEMENTS) {
    throw new LinearConvError(
      field,
      `the filters [${outChannels}, ${inChannels / groups}, ${conv.kernelSize.join(', ')}] would hold ${filters} values, above the limit ${MAX_ELEMENTS} (2^31 − 1)`,
    );
  }
  return conv;
}

/** A positive integer no larger than MAX_SIZE. */
export function requireSize(field: string, value: unknown): number {
  requirePositiveInteger(field, value);
  if ((value as number) > MAX_SIZE) {
    throw new LinearConvError(field, `must be at most ${MAX_SIZE} (2^24), got ${describe(value)}`);
  }
  return value as number;
}

function pair(field: string, value: unknown): Pair {
  if (typeof value === 'number') {
    requireSize(field, value);
    return [value, value];
  }
  if (!Array.isArray(value) || value.length !== 2) {
    throw new LinearConvError(field, `must be a positive integer or a pair [height, width], got ${describe(value)}`);
  }
  return [requireSize(`${field}[0]`, value[0]), requireSize(`${field}[1]`, value[1])];
}

function parsePadding(field: string, value: unknown): Padding {
  if (value === 'same' || value === 'valid') return value;
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    !value.every((v) => Number.isInteger(v) && v >= 0 && v <= MAX_SIZE)
  ) {
    throw new LinearConvError(
      field,
      `must be 'same', 'valid' or [top, bottom, left, right] of integers in 0..${MAX_SIZE}, got ${describe(value)}`,
    );
  }
  return [value[0], value[1], value[2], value[3]];
}

/** `value` as Coefficients: `'full'`, `{ kind: 'full' }` or `{ kind: 'lowRank', rank }` with rank in 1..MAX_SIZE. */
export function requireCoefficients(field: string, value: unknown): Coefficients {
  if (value === 'full') return { kind: 'full' };
  const v = value as { kind?: unknown; rank?: unknown } | null;
  if (typeof v === 'object' && v !== null && v.kind === 'full') {
    return { kind: 'full' };
  }
  if (typeof v === 'object' && v !== null && v.kind === 'lowRank') {
    if (!Number.isInteger(v.rank) || (v.rank as number) < 1 || (v.rank as number) > MAX_SIZE) {
      throw new LinearConvError(`${field}.rank`, `must be an integer in 1..${MAX_SIZE}, got ${describe(v.rank)}`);
    }
    return { kind: 'lowRank', rank: v.rank as number };
  }
  throw new LinearConvError(
    field,
    `must be 'full', { kind: 'full' } or { kind: 'lowRank', rank }, got ${describe(value)}`,
  );
}

/** Length of one flattened filter: D = (C/g)·kh·kw. */
export function filterLength(spec: Pick<LayerSpec, 'inChannels' | 'groups' | 'kernelSize'>): number {
  requireObject('spec', spec, 'a spec { inChannels, groups, kernelSize }');
  return (spec.inChannels / spec.groups) * spec.kernelSize[0] * spec.kernelSize[1];
}

/** s = F − p, the filters built as combinations of the primaries. */
export function secondaryFilters(spec: LayerSpec): number {
  const checked = requireLayerSpec('spec', spec);
  return checked.outChannels - checked.primaryFilters;
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
  return shapesOf(requireLayerSpec('spec', spec));
}

function shapesOf(spec: LayerSpec): WeightShapes {
  const [kh, kw] = spec.kernelSize;
  const cg = spec.inChannels / spec.groups;
  const p = spec.primaryFilters;
  const s = spec.outChannels - p;
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
  requireObject('spec', spec, 'a spec { kernelSize, strides, padding, dilation }');
  const checked: ConvLike = {
    kernelSize: pair('spec.kernelSize', spec.kernelSize),
    strides: pair('spec.strides', spec.strides),
    padding: parsePadding('spec.padding', spec.padding),
    dilation: pair('spec.dilation', spec.dilation),
  };
  requireSize('input height', height);
  requireSize('input width', width);
  const [top, bottom, outHeight] = axis(checked, 0, height);
  const [left, right, outWidth] = axis(checked, 1, width);
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
  const checked = requireLayerSpec('spec', spec);
  if (!Array.isArray(inputShape) || inputShape.length !== 4) {
    throw new LinearConvError('input.shape', `must be [batch, channels, height, width], got ${describe(inputShape)}`);
  }
  const [n, c, h, w] = inputShape;
  requireSize('input.shape[0] (batch)', n);
  if (c !== checked.inChannels) {
    throw new LinearConvError('input.shape[1]', `must equal inChannels (${checked.inChannels}), got ${describe(c)}`);
  }
  const g = convGeometry(checked, h, w);
  return [n, checked.outChannels, g.outHeight, g.outWidth];
}
