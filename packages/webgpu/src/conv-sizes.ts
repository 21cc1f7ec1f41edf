import { type ConvShape, convShapeKey, convSizes } from './conv-shape.js';
import { GEMM_UNIFORMS } from './gemm.js';
import { u32 } from './program.js';
import { SMALL_GEMM_MACS } from './tiles.js';
import { type UniformLayout, uniformLayout } from './uniforms.js';

/**
 * Convolutions of fewer multiply-adds than `SMALL_GEMM_MACS` share one shape-generic pipeline
 * per kernel (sizes as uniforms): they run in microseconds, and on a CPU Vulkan driver compiling
 * a specialised shader costs about a second. Larger ones get code specialised for their shape.
 */
/** The uniforms of a shape-generic conv kernel: the GEMM's, then every size the loaders read. */
export const CONV_UNIFORMS: UniformLayout = uniformLayout('Params', [
  ...GEMM_UNIFORMS,
  ...(
    [
      'batch', 'inChannels', 'height', 'width', 'outChannels', 'kernelWidth', 'outHeight', 'outWidth',
      'cg', 'fg', 'taps', 'filterLength', 'inPlane', 'outPlane', 'sh', 'sw', 'dh', 'dw', 'top', 'left',
    ] as const
  ).map((name) => [name, 'u32'] as const),
]);

/** A conv size as the loaders write it: a literal when specialised, `params.x` when generic. */
export interface ConvSizeWriter {
  readonly dynamic: boolean;
  /** Unsigned. */
  u(name: keyof ReturnType<typeof convValues>): string;
  /** Signed (for window coordinates). */
  i(name: keyof ReturnType<typeof convValues>): string;
  /** The shape's part of the key: its sizes, or `dynamic`. */
  readonly key: string;
}

export function convValues(shape: ConvShape) {
  const s = convSizes(shape);
  return {
    batch: shape.batch,
    inChannels: shape.inChannels,
    height: shape.height,
    width: shape.width,
    outChannels: shape.outChannels,
    kernelWidth: shape.kernelWidth,
    outHeight: shape.outHeight,
    outWidth: shape.outWidth,
    cg: s.cg,
    fg: s.fg,
    taps: s.taps,
    filterLength: s.filterLength,
    inPlane: s.inPlane,
    outPlane: s.outPlane,
    sh: shape.strides[0],
    sw: shape.strides[1],
    dh: shape.dilation[0],
    dw: shape.dilation[1],
    top: shape.padding[0],
    left: shape.padding[2],
  };
}

/** Specialised when the conv is big enough to repay its compile, generic otherwise. */
export function convSizeWriter(shape: ConvShape, macs: number): ConvSizeWriter {
  const values = convValues(shape);
  if (macs >= SMALL_GEMM_MACS) {
    return { dynamic: false, u: (name) => u32(values[name]), i: (name) => `${values[name]}i`, key: convShapeKey(shape) };
  }
  return { dynamic: true, u: (name) => `params.${name}`, i: (name) => `i32(params.${name})`, key: 'dynamic' };
}
