import { convStack } from './base.js';
import type { GraphBuilder } from './graph.js';

/**
 * VGG11 with BN (authors' models/vgg_xcnn.py): 64,M,128,M,256,256,M,512,512,M,512,512,M of
 * conv3×3 (padding 1, bias) + BN + ReLU, then FC 512→10 on the 512×1×1 map. Every conv is converted.
 */
export function buildVgg11(g: GraphBuilder): void {
  const x = convStack(g, [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']);
  g.dense('fc', g.flatten('flatten', x), g.classes);
}
