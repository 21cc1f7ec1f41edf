import { convGeometry, describe, type LayerSpec, LinearConvError, outputShape, requirePositiveInteger } from '@linearconv/core';

/** Every size of one convolution on one input shape, resolved: what the kernels are specialised on. */
export interface ConvShape {
  readonly batch: number;
  readonly inChannels: number;
  readonly height: number;
  readonly width: number;
  readonly outChannels: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** [top, bottom, left, right] */
  readonly padding: readonly [number, number, number, number];
  readonly groups: number;
}

/** The conv of `spec` on an NCHW input of `inputShape`; bad shapes throw LinearConvError. */
export function convShape(spec: LayerSpec, inputShape: readonly number[]): ConvShape {
  if (!Array.isArray(inputShape) || inputShape.length !== 4) {
    throw new LinearConvError('inputShape', `must be [batch, channels, height, width], got ${describe(inputShape)}`);
  }
  inputShape.forEach((d, i) => {
    requirePositiveInteger(`inputShape[${i}]`, d);
  });
  let out: [number, number, number, number];
  try {
    out = outputShape(spec, inputShape);
  } catch (e) {
    // Core names the tensor `input`; here the parameter is `inputShape`.
    if (e instanceof LinearConvError && e.field.startsWith('input.shape')) {
      throw new LinearConvError(e.field.replace(/^input\.shape(\[\d\])?.*$/, 'inputShape$1'), e.rule);
    }
    throw e;
  }
  const [batch, , outHeight, outWidth] = out;
  const { padding } = convGeometry(spec, inputShape[2], inputShape[3]);
  return {
    batch,
    inChannels: spec.inChannels,
    height: inputShape[2],
    width: inputShape[3],
    outChannels: spec.outChannels,
    kernelHeight: spec.kernelSize[0],
    kernelWidth: spec.kernelSize[1],
    outHeight,
    outWidth,
    strides: spec.strides,
    dilation: spec.dilation,
    padding,
    groups: spec.groups,
  };
}

/** Element counts of the tensors a conv touches. */
export function convSizes(s: ConvShape) {
  const cg = s.inChannels / s.groups;
  const fg = s.outChannels / s.groups;
  const taps = s.kernelHeight * s.kernelWidth;
  return {
    cg,
    fg,
    taps,
    /** Filter length D = (C/g)·kh·kw. */
    filterLength: cg * taps,
    input: s.batch * s.inChannels * s.height * s.width,
    output: s.batch * s.outChannels * s.outHeight * s.outWidth,
    filters: s.outChannels * cg * taps,
    inPlane: s.height * s.width,
    outPlane: s.outHeight * s.outWidth,
  };
}

/** The shape's part of a shader key: every size the code is specialised on. */
export function convShapeKey(s: ConvShape): string {
  return (
    `n${s.batch}c${s.inChannels}h${s.height}w${s.width}-f${s.outChannels}k${s.kernelHeight}x${s.kernelWidth}` +
    `-s${s.strides.join('x')}-d${s.dilation.join('x')}-p${s.padding.join(',')}-g${s.groups}`
  );
}

/** Whether the conv reads no padding: then no tap can fall outside the input. */
export function hasPadding(s: ConvShape): boolean {
  return s.padding.some((p) => p > 0);
}
