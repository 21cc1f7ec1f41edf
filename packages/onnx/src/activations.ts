import type { OnnxGraph } from './graph.js';
import { graphAxis } from './layout.js';

/** The tfjs activations an export can carry (as an Activation layer or fused into a layer). */
export const SUPPORTED_ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'tanh', 'softmax'] as const;

/**
 * The node(s) for tfjs activation `name` on `x` (a rank-`rank` tfjs tensor), or undefined when
 * the activation has no translation. tfjs's softmax runs over the last tfjs axis.
 */
export function activationNode(graph: OnnxGraph, hint: string, x: string, name: string, rank: number): string | undefined {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return graph.node('Relu', [x], hint);
    case 'relu6':
      return graph.node('Clip', [x, graph.scalar(0), graph.scalar(6)], hint);
    case 'elu':
      return graph.node('Elu', [x], hint, { alpha: { float: 1 } });
    case 'sigmoid':
      return graph.node('Sigmoid', [x], hint);
    case 'tanh':
      return graph.node('Tanh', [x], hint);
    case 'softmax':
      return graph.node('Softmax', [x], hint, { axis: graphAxis(-1, rank) });
    default:
      return undefined;
  }
}
