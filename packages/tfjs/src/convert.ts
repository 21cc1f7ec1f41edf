import { type Coefficients, fitCoefficients, LinearConvError, layerSpec } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { rebuild } from './rebuild.js';

export interface ConvertOptions {
  /** Which Conv2D layers to convert: names, or a test on each Conv2D layer's config. Default all. */
  readonly layers?: readonly string[] | ((name: string, config: tf.serialization.ConfigDict) => boolean);
  /** p per layer, from its filter count. Default floor(F / 2), the paper's. */
  readonly primaryFilters?: (filters: number) => number;
  /** Default 'full'. */
  readonly coefficients?: Coefficients | 'full';
  /**
   * 'fit' (default): primaries are the first p original filters, coefficients the least-squares
   * fit of the others (core's fitCoefficients), so a trained model starts close to where it was.
   * 'random': fresh weights from the layer's initialisers.
   */
  readonly initialize?: 'fit' | 'random';
}

export interface ConvertedLayer {
  readonly name: string;
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  /** ||W_composed − W_original||_F / ||W_original||_F; null for random initialisation. */
  readonly relativeError: number | null;
}

export interface ConvertResult {
  readonly model: LayersModel;
  readonly layers: readonly ConvertedLayer[];
}

/**
 * A new model (Sequential or functional) in which the chosen Conv2D layers are LinearConv2D,
 * every other hyperparameter carried over exactly. A configuration LinearConv2D cannot carry
 * exactly is refused with the layer's name; nothing is silently changed. Other layers keep
 * their weights. The input model is not touched.
 */
export async function convertModel(model: LayersModel, options: ConvertOptions = {}): Promise<ConvertResult> {
  const chosen = (name: string, config: tf.serialization.ConfigDict) => {
    const which = options.layers;
    return which === undefined ? true : typeof which === 'function' ? which(name, config) : which.includes(name);
  };
  if (Array.isArray(options.layers)) {
    const names = new Set(model.layers.map((l) => l.name));
    for (const name of options.layers) {
      if (!names.has(name)) throw new LinearConvError('options.layers', `no layer is named "${name}"`);
      if (model.getLayer(name).getClassName() !== 'Conv2D') {
        throw new LinearConvError('options.layers', `"${name}" is a ${model.getLayer(name).getClassName()}, not a Conv2D`);
      }
    }
  }
  const converted = new Set<string>();
  const next = await rebuild(model, (entry) => {
    const { className, config } = entry;
    const name = config.name as string;
    if (className !== 'Conv2D' || !chosen(name, config)) return entry;
    refuseUnsupported(name, config);
    const filters = config.filters as number;
    converted.add(name);
    return {
      className: 'LinearConv2D',
      config: { ...config, primaryFilters: options.primaryFilters?.(filters) ?? Math.floor(filters / 2), coefficients: options.coefficients ?? 'full', groups: 1 },
    };
  });

  const report: ConvertedLayer[] = [];
  for (const layer of next.layers) {
    const old = model.getLayer(layer.name);
    if (!converted.has(layer.name)) {
      layer.setWeights(old.getWeights());
      continue;
    }
    const spec = (layer as unknown as { spec: Parameters<typeof fitCoefficients>[0] }).spec;
    let relativeError: number | null = null;
    if ((options.initialize ?? 'fit') === 'fit') {
      const [kernel, bias] = old.getWeights();
      // Conv2D holds HWIO; core works in OIHW.
      const filters = tf.tidy(() => tf.transpose(kernel, [3, 2, 0, 1]).dataSync() as Float32Array);
      const fit = fitCoefficients(layerSpec(spec), filters, bias?.dataSync() as Float32Array | undefined);
      relativeError = fit.relativeError;
      const [kh, kw, cg] = kernel.shape;
      const values = tf.tidy(() => [
        tf.transpose(tf.tensor4d(fit.weights.primary, [spec.primaryFilters, cg, kh, kw]), [2, 3, 1, 0]),
        ...layer.weights.slice(1).map((w) => {
          const name = w.originalName.split('/').pop() as 'coefficients' | 'column' | 'row' | 'bias';
          return tf.tensor(fit.weights[name]!, w.shape as number[]);
        }),
      ]);
      layer.setWeights(values);
      tf.dispose(values);
    }
    report.push({ name: layer.name, paramsBefore: old.countParams(), paramsAfter: layer.countParams(), relativeError });
  }
  return { model: next, layers: report };
}

/** What a LinearConv2D could only carry by changing its meaning. */
function refuseUnsupported(name: string, config: tf.serialization.ConfigDict): void {
  const refuse = (what: string, why: string) => {
    throw new LinearConvError(`layer "${name}" (Conv2D)`, `${what} is not supported: ${why}`);
  };
  if ((config.filters as number) < 2) refuse(`filters ${config.filters}`, 'LinearConv needs at least one primary and one combined filter');
  if (config.kernelRegularizer) refuse('kernelRegularizer', 'it penalises the whole kernel, but a LinearConv2D stores only the primaries');
  if (config.kernelConstraint) refuse('kernelConstraint', 'it constrains the whole kernel, but a LinearConv2D stores only the primaries');
}
