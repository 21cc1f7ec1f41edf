import {
  type Coefficients,
  describe,
  fitCoefficients,
  LinearConvError,
  layerSpec,
  requireCoefficients,
  requireOptions,
} from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, layers } from '@tensorflow/tfjs-layers';
import type { LinearConv2D } from './linear-conv2d.js';
import { forEachLayerPair, leafLayers, rebuild, requireLayersModel } from './rebuild.js';

export interface ConvertOptions {
  /**
   * Which Conv2D layers to convert: an array of exact names, or a test on each Conv2D layer's
   * name and config. Default all.
   */
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
  /** ||W_composed − W_original||_F / ||W_original||_F; null for random initialisation (NaN for non-finite weights). */
  readonly relativeError: number | null;
}

export interface ConvertResult {
  readonly model: LayersModel;
  readonly layers: readonly ConvertedLayer[];
}

const optionNames = ['layers', 'primaryFilters', 'coefficients', 'initialize'];

/**
 * A new model (Sequential or functional) in which the chosen Conv2D layers are LinearConv2D,
 * every other hyperparameter carried over exactly. Conv2D layers inside nested models are
 * converted too; LinearConv2D layers already there are kept as they are, so a mixed or partly
 * converted model converts. A configuration LinearConv2D cannot carry exactly is refused with the
 * layer's name; nothing is silently changed. Other layers keep their weights. The input model is
 * not touched; bad arguments are refused (LinearConvError) before anything is built.
 */
export async function convertModel(model: LayersModel, options: ConvertOptions = {}): Promise<ConvertResult> {
  requireLayersModel('model', model);
  const { chosen, primaryFilters, coefficients, initialize } = checkOptions(options);
  const leaves = leafLayers(model);
  if (Array.isArray(options.layers)) {
    for (const name of options.layers as readonly string[]) {
      const named = leaves.filter((l) => l.name === name);
      if (named.length === 0) throw new LinearConvError('options.layers', `no layer is named "${name}"`);
      const other = named.find((l) => l.getClassName() !== 'Conv2D');
      if (other) throw new LinearConvError('options.layers', `"${name}" is a ${other.getClassName()}, not a Conv2D`);
    }
  }
  const plans = new Map<layers.Layer, { primaryFilters: number }>();
  // Everything is checked here, before modelFromJSON builds (and allocates) any layer.
  for (const layer of leaves) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const config = layer.getConfig();
    if (!chosen(layer.name, config)) continue;
    plans.set(layer, { primaryFilters: plan(layer, config, primaryFilters, coefficients) });
  }
  const next = await rebuild(model, (entry, source) => {
    const planned = plans.get(source);
    if (!planned) return entry;
    return {
      className: 'LinearConv2D',
      config: { ...entry.config, primaryFilters: planned.primaryFilters, coefficients, groups: 1 },
    };
  });

  const report: ConvertedLayer[] = [];
  forEachLayerPair(model, next, (old, layer) => {
    if (!plans.has(old)) {
      layer.setWeights(old.getWeights());
      return;
    }
    const spec = (layer as unknown as LinearConv2D).spec!;
    let relativeError: number | null = null;
    if (initialize === 'fit') {
      const [kernel, bias] = old.getWeights();
      // Conv2D holds HWIO; core works in OIHW.
      const filters = tf.tidy(() => tf.transpose(kernel, [3, 2, 0, 1]).dataSync() as Float32Array);
      const fit = fitCoefficients(spec, filters, bias?.dataSync() as Float32Array | undefined);
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
  });
  return { model: next, layers: report };
}

function checkOptions(options: ConvertOptions) {
  requireOptions('options', options, optionNames);
  const which = options.layers;
  if (which !== undefined && typeof which !== 'function') {
    if (!Array.isArray(which)) {
      throw new LinearConvError('options.layers', `must be an array of layer names or a function (name, config) => boolean, got ${describe(which)}`);
    }
    which.forEach((name, i) => {
      if (typeof name !== 'string') throw new LinearConvError(`options.layers[${i}]`, `must be a layer name (a string), got ${describe(name)}`);
    });
  }
  const chosen = (name: string, config: tf.serialization.ConfigDict): boolean => {
    if (which === undefined) return true;
    if (Array.isArray(which)) return which.includes(name);
    const answer = (which as (name: string, config: tf.serialization.ConfigDict) => unknown)(name, config);
    if (typeof answer !== 'boolean') {
      throw new LinearConvError('options.layers', `the function must return true or false, got ${describe(answer)} for layer "${name}"`);
    }
    return answer;
  };
  if (options.primaryFilters !== undefined && typeof options.primaryFilters !== 'function') {
    throw new LinearConvError('options.primaryFilters', `must be a function (filters) => p, got ${describe(options.primaryFilters)}`);
  }
  const coefficients = requireCoefficients('options.coefficients', options.coefficients ?? 'full');
  const initialize = options.initialize ?? 'fit';
  if (initialize !== 'fit' && initialize !== 'random') {
    throw new LinearConvError('options.initialize', `must be 'fit' or 'random', got ${describe(initialize)}`);
  }
  return { chosen, primaryFilters: options.primaryFilters, coefficients, initialize };
}

/** The layer's p, after checking that a LinearConv2D can carry the Conv2D exactly. */
function plan(
  layer: layers.Layer,
  config: tf.serialization.ConfigDict,
  primaryFilters: ((filters: number) => number) | undefined,
  coefficients: Coefficients,
): number {
  const name = layer.name;
  const field = `layer "${name}" (Conv2D)`;
  const refuse = (what: string, why: string) => {
    throw new LinearConvError(field, `${what} is not supported: ${why}`);
  };
  const filters = config.filters as number;
  if (filters < 2) refuse(`filters ${filters}`, 'LinearConv needs at least one primary and one combined filter');
  if (config.kernelRegularizer) refuse('kernelRegularizer', 'it penalises the whole kernel, but a LinearConv2D stores only the primaries');
  if (config.kernelConstraint) refuse('kernelConstraint', 'it constrains the whole kernel, but a LinearConv2D stores only the primaries');
  const p = primaryFilters === undefined ? Math.floor(filters / 2) : primaryFilters(filters);
  if (!Number.isInteger(p) || p < 1 || p > filters - 1) {
    throw new LinearConvError(
      'options.primaryFilters',
      `gave ${describe(p)} for layer "${name}" with ${filters} filters: must be an integer in 1..${filters - 1}`,
    );
  }
  // core checks the rest (sizes, rank) now, by the layer's name, rather than mid-build.
  const [kh, kw, inChannels] = layer.weights[0].shape as number[];
  try {
    layerSpec({
      inChannels,
      outChannels: filters,
      kernelSize: [kh, kw],
      strides: config.strides as [number, number],
      padding: config.padding as 'same' | 'valid',
      dilation: config.dilationRate as [number, number],
      useBias: config.useBias as boolean,
      primaryFilters: p,
      coefficients,
    });
  } catch (e) {
    if (e instanceof LinearConvError) throw new LinearConvError(field, `${e.field}: ${e.rule}`);
    throw e;
  }
  return p;
}
