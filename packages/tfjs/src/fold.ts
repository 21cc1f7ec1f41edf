import type { LayerSpec } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { LinearConv2D } from './linear-conv2d.js';
import { rebuild } from './rebuild.js';

/**
 * A model for deployment: every LinearConv2D becomes a plain conv holding its composed filters,
 * with the same outputs. Conv2D where it can be one (groups 1, 'same' or 'valid' padding),
 * DepthwiseConv2D for depthwise layers with such padding, and GroupedConv2D (this package's plain
 * grouped conv) otherwise. A regulariser on the primaries is dropped (it means nothing on the
 * composed kernel, and inference never reads it). The input model is not touched.
 */
export async function foldModel(model: LayersModel): Promise<LayersModel> {
  const linear = new Map(
    model.layers.filter((l) => l.getClassName() === 'LinearConv2D').map((l) => [l.name, l as unknown as LinearConv2D]),
  );
  const targets = new Map<string, 'Conv2D' | 'DepthwiseConv2D' | 'GroupedConv2D'>();
  const folded = await rebuild(model, (entry) => {
    const layer = linear.get(entry.config.name as string);
    if (!layer) return entry;
    // The primaries' regulariser has no meaning on the composed kernel: it is dropped.
    const { primaryFilters: _p, coefficients: _c, coefficientsInitializer: _i, kernelRegularizer: _r, groups, ...conv } = entry.config;
    const target = plainClass(layer.spec!);
    targets.set(layer.name, target);
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
  for (const layer of folded.layers) {
    const source = model.getLayer(layer.name);
    const linearLayer = linear.get(layer.name);
    if (!linearLayer) {
      layer.setWeights(source.getWeights());
      continue;
    }
    const values = tf.tidy(() => {
      const kernel = linearLayer.composedKernel();
      const bias = linearLayer.weights.find((w) => w.originalName.endsWith('/bias'))?.read().clone();
      // DepthwiseConv2D holds [kh, kw, C, m] where the grouped kernel is [kh, kw, 1, C·m].
      const [kh, kw, , f] = kernel.shape;
      const shaped = targets.get(layer.name) === 'DepthwiseConv2D' ? tf.reshape(kernel, [kh, kw, linearLayer.groups, f / linearLayer.groups]) : kernel;
      return bias ? [shaped, bias] : [shaped];
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  return folded;
}

function plainClass(spec: LayerSpec): 'Conv2D' | 'DepthwiseConv2D' | 'GroupedConv2D' {
  if (Array.isArray(spec.padding)) return 'GroupedConv2D';
  if (spec.groups === 1) return 'Conv2D';
  return spec.groups === spec.inChannels ? 'DepthwiseConv2D' : 'GroupedConv2D';
}
