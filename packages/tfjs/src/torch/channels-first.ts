import { LinearConvError } from '@linearconv/core';
import { input, type LayersModel, layers, model as functionalModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';

/**
 * `model` (one 4-D NHWC input) behind a Permute, so that it takes PyTorch's NCHW input; a 4-D
 * output is permuted back to NCHW, other outputs (logits) are unchanged. The weights are shared
 * with `model`, which the returned model contains as a layer.
 */
export function channelsFirstInput(model: LayersModel): LayersModel {
  if (model.inputs.length !== 1 || model.inputs[0].shape.length !== 4) throw new LinearConvError('model', 'must have one 4-D (NHWC) input');
  const [, h, w, c] = model.inputs[0].shape;
  if (h == null || w == null || c == null) throw new LinearConvError('model', 'must have a fixed input size');
  const x = input({ shape: [c, h, w], name: 'input_nchw' });
  const nhwc = layers.permute({ dims: [2, 3, 1], name: 'to_nhwc' }).apply(x) as SymbolicTensor;
  let y = model.apply(nhwc) as SymbolicTensor;
  if (y.shape.length === 4) y = layers.permute({ dims: [3, 1, 2], name: 'to_nchw' }).apply(y) as SymbolicTensor;
  return functionalModel({ inputs: x, outputs: y, name: `${model.name}-nchw` });
}
