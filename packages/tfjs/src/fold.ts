import type { LayerSpec } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { dilateKernel } from './conv.js';
import { LinearConv2D } from './linear-conv2d.js';
import { forEachLayerPair, rebuild, requireLayersModel } from './rebuild.js';

type Target = 'Conv2D' | 'DepthwiseConv2D' | 'GroupedConv2D';

/**
 * A model for deployment: every LinearConv2D (in nested models too) becomes a plain conv holding
 * its composed filters, with the same outputs. Conv2D where it can be one (groups 1, 'same' or
 * 'valid' padding), DepthwiseConv2D for depthwise layers with such padding, and GroupedConv2D
 * (this package's plain grouped conv) otherwise. tfjs's Conv2D and DepthwiseConv2D cannot combine
 * strides and dilation, so such a layer folds to the zero-stuffed kernel ((k − 1)·d + 1 wide,
 * dilation 1), the same convolution. A regulariser on the primaries is dropped (it means nothing
 * on the composed kernel, and inference never reads it). The input model is not touched.
 */
export async function foldModel(model: LayersModel): Promise<LayersModel> {
  requireLayersModel('model', model);
  const plans = new Map<LinearConv2D, { target: Target; stuffed: boolean }>();
  const folded = await rebuild(model, (entry, source) => {
    if (!(source instanceof LinearConv2D)) return entry;
    // The primaries' regulariser has no meaning on the composed kernel: it is dropped.
    const { primaryFilters: _p, coefficients: _c, coefficientsInitializer: _i, kernelRegularizer: _r, groups, ...conv } = entry.config;
    const spec = source.spec!;
    const target = plainClass(spec);
    const stuffed = target !== 'GroupedConv2D' && spec.strides.some((s) => s > 1) && spec.dilation.some((d) => d > 1);
    plans.set(source, { target, stuffed });
    if (stuffed) {
      conv.kernelSize = spec.kernelSize.map((k, i) => (k - 1) * spec.dilation[i] + 1);
      conv.dilationRate = [1, 1];
    }
    if (target === 'Conv2D') return { className: target, config: conv };
    if (target === 'DepthwiseConv2D') {
      const { filters, kernelInitializer, kernelConstraint, ...rest } = conv;
      return {
        className: target,
        config: {
          ...rest,
          depthMultiplier: (filters as number) / (groups as number),
          depthwiseInitializer: kernelInitializer,
          depthwiseConstraint: kernelConstraint,
        },
      };
    }
    return { className: target, config: { ...conv, groups } };
  });
  forEachLayerPair(model, folded, (source, layer) => {
    const plan = source instanceof LinearConv2D ? plans.get(source) : undefined;
    if (!plan) {
      layer.setWeights(source.getWeights());
      return;
    }
    const linear = source as LinearConv2D;
    const values = tf.tidy(() => {
      const composed = linear.composedKernel();
      const kernel = plan.stuffed ? dilateKernel(composed, linear.spec!.dilation) : composed;
      const bias = linear.weights.find((w) => w.originalName.endsWith('/bias'))?.read().clone();
      // DepthwiseConv2D holds [kh, kw, C, m] where the grouped kernel is [kh, kw, 1, C·m].
      const [kh, kw, , f] = kernel.shape;
      const shaped = plan.target === 'DepthwiseConv2D' ? tf.reshape(kernel, [kh, kw, linear.groups, f / linear.groups]) : kernel;
      return bias ? [shaped, bias] : [shaped];
    });
    layer.setWeights(values);
    tf.dispose(values);
  });
  return folded;
}

function plainClass(spec: LayerSpec): Target {
  if (Array.isArray(spec.padding)) return 'GroupedConv2D';
  if (spec.groups === 1) return 'Conv2D';
  return spec.groups === spec.inChannels ? 'DepthwiseConv2D' : 'GroupedConv2D';
}
