import { type GraphBuilder, MODEL_INPUT, type Source } from './graph.js';

/** The authors' shared stage: conv3×3 (padding 1, bias) + BN + ReLU per width, maxpool 2 after each 'M'. */
export function convStack(g: GraphBuilder, widths: readonly (number | 'M')[]): Source {
  let x: Source = MODEL_INPUT;
  let conv = 0;
  let pool = 0;
  for (const w of widths) {
    if (w === 'M') {
      x = g.maxPool(`pool${++pool}`, x, 2);
      continue;
    }
    const name = `conv${++conv}`;
    x = g.conv(name, x, { out: w, kernel: 3, padding: 1, bias: true, convertible: true });
    x = g.batchNorm(`${name}.bn`, x);
    x = g.relu(`${name}.relu`, x);
  }
  return x;
}

/**
 * Base (authors' models/base_xcnn.py, BASE1): 4×[conv3×3 + BN + ReLU + maxpool 2], widths
 * 32/64/128/256, then FC 1024→10 on the flattened 256×2×2 map. Every conv is converted.
 */
export function buildBase(g: GraphBuilder): void {
  const x = convStack(g, [32, 'M', 64, 'M', 128, 'M', 256, 'M']);
  g.dense('fc', g.flatten('flatten', x), g.classes);
}
