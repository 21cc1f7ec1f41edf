import { describe, LinearConvError } from '@linearconv/core';
import type * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, type layers, models } from '@tensorflow/tfjs-layers';

type Layer = layers.Layer;

/** One layer's entry in a model's config: the same shape for Sequential and functional models. */
export interface LayerEntry {
  className: string;
  config: tf.serialization.ConfigDict;
}

/** A model used as a layer of another (Sequential or functional): it holds layers of its own. */
export function isContainer(layer: unknown): layer is LayersModel {
  const l = layer as Partial<LayersModel> | null;
  return l !== null && typeof l === 'object' && Array.isArray(l.layers) && typeof l.getLayer === 'function';
}

/** `value` as a tfjs LayersModel (Sequential or functional), else a LinearConvError naming `field`. */
export function requireLayersModel(field: string, value: unknown): LayersModel {
  const m = value as Partial<LayersModel> | null;
  if (!isContainer(value) || typeof m?.getConfig !== 'function' || typeof m?.getClassName !== 'function') {
    throw new LinearConvError(field, `must be a tfjs LayersModel (tf.sequential, tf.model or a loaded model), got ${describe(value)}`);
  }
  return value;
}

/** Every layer that is not itself a model, at any depth, in order. */
export function leafLayers(model: LayersModel): Layer[] {
  return model.layers.flatMap((layer) => (isContainer(layer) ? leafLayers(layer) : [layer]));
}

/**
 * A new model with the same topology, each layer's entry passed through `map` with the source
 * layer it describes (which returns the entry unchanged, or a replacement keeping the name).
 * Models nested as layers are rebuilt the same way, so their layers are mapped too. Weights are
 * not copied: see `forEachLayerPair`.
 */
export async function rebuild(model: LayersModel, map: (entry: LayerEntry, source: Layer) => LayerEntry): Promise<LayersModel> {
  // The topology as model.save writes it: the JSON round trip drops the undefined members
  // (an initialiser's `seed: undefined`) that tfjs's deserialiser cannot read.
  const config = JSON.parse(JSON.stringify(model.getConfig())) as ContainerConfig;
  const topology = { class_name: model.getClassName(), config: mapContainer(model, config, map) };
  return models.modelFromJSON({ modelTopology: topology } as never);
}

interface ContainerConfig {
  layers: LayerEntry[];
}

function mapContainer(container: LayersModel, config: ContainerConfig, map: (entry: LayerEntry, source: Layer) => LayerEntry): ContainerConfig {
  return {
    ...config,
    layers: config.layers.map((entry) => {
      const source = container.getLayer(entry.config.name as string);
      if (isContainer(source)) return { ...entry, config: mapContainer(source, entry.config as unknown as ContainerConfig, map) as never };
      return { ...entry, ...map({ className: entry.className, config: { ...entry.config } }, source) };
    }),
  };
}

/** Calls visit(sourceLayer, targetLayer) for every non-model layer of `target`, at every depth, matched by name. */
export function forEachLayerPair(source: LayersModel, target: LayersModel, visit: (from: Layer, to: Layer) => void): void {
  for (const layer of target.layers) {
    const from = source.getLayer(layer.name);
    if (isContainer(layer) && isContainer(from)) forEachLayerPair(from, layer, visit);
    else visit(from, layer);
  }
}
