import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { ExplicitPad, Pair, Program, Shape4 } from './program.js';

/**
 * What an input gradient (a transposed convolution) needs from the forward geometry: dy
 * zero-upsampled by the stride, then padded (or cropped) so that a stride-1 correlation with
 * the spatially flipped filter, at the forward dilation, yields exactly H × W outputs.
 * Output row y reads dilated rows y − padTop … y − padTop + effKh − 1.
 */
export function transposedConvInput(
  p: Program,
  dy: TensorInfo,
  inputShape: Shape4,
  filterShape: Shape4,
  strides: Pair,
  dilations: Pair,
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): [TensorInfo, ExplicitPad] {
  const info = backend_util.computeConv2DInfo(inputShape, filterShape, strides, dilations, pad, dimRoundingMode, depthwise);
  const [, h, w] = inputShape;
  const [, oh, ow] = dy.shape;
  const [sh, sw] = strides;
  const up = p.zeroUpsample(dy, strides);
  const padTop = info.effectiveFilterHeight - 1 - info.padInfo.top;
  const padLeft = info.effectiveFilterWidth - 1 - info.padInfo.left;
  const padBottom = h + info.effectiveFilterHeight - 1 - padTop - oh * sh;
  const padRight = w + info.effectiveFilterWidth - 1 - padLeft - ow * sw;
  return p.cropForPadding(up, [padTop, padBottom], [padLeft, padRight]);
}
