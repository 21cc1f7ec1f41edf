import type * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, models } from '@tensorflow/tfjs-layers';

/** One layer's entry in a model's config: the same shape for Sequential and functional models. */
export interface LayerEntry {
  className: string;
  config: tf.serialization.ConfigDict;
}

/**
 * A new model with the same topology, each layer's entry passed through `map` (which returns
 * it unchanged, or a replacement keeping the name). Weights are not copied.
 */
export async function rebuild(model: LayersModel, map: (entry: LayerEntry) => LayerEntry): Promise<LayersModel> {
  const config = model.getConfig() as unknown as { layers: LayerEntry[] };
  const layers = config.layers.map((entry) => ({ ...entry, ...map({ className: entry.className, config: { ...entry.config } }) }));
  return models.modelFromJSON({ modelTopology: { class_name: model.getClassName(), config: { ...config, layers } } } as never);
}
