import { type GraphBuilder, MODEL_INPUT } from './graph.js';

/**
 * AllConv (authors' models/allconv_xcnn.py): convs with bias and no BN, ReLU after each, dropout
 * 0.2 on the input and 0.5 after each stride-2 conv; the 1×1 class conv stays plain, then ReLU
 * and a global average pool give the 10 logits. (The authors call F.dropout without
 * training=self.training, so their dropout also runs at test time; adapters should not copy that.)
 *
 * `conv8Padding1`: the authors' LinearConv classes default to padding 1, so their converted
 * conv8 (1×1, no padding given) pads by 1 and the last maps grow from 8×8 to 10×10. It changes
 * MACs, not parameters; their plain baseline uses padding 0.
 */
export function buildAllConv(g: GraphBuilder, conv8Padding1: boolean): void {
  const layer = (name: string, from: string, out: number, kernel: number, stride: number, padding: number) => {
    const x = g.conv(name, from, { out, kernel, stride, padding, bias: true, convertible: true });
    return g.relu(`${name}.relu`, x);
  };
  let x = g.dropout('input.dropout', MODEL_INPUT, 0.2);
  x = layer('conv1', x, 96, 3, 1, 1);
  x = layer('conv2', x, 96, 3, 1, 1);
  x = layer('conv3', x, 96, 3, 2, 1);
  x = g.dropout('conv3.dropout', x, 0.5);
  x = layer('conv4', x, 192, 3, 1, 1);
  x = layer('conv5', x, 192, 3, 1, 1);
  x = layer('conv6', x, 192, 3, 2, 1);
  x = g.dropout('conv6.dropout', x, 0.5);
  x = layer('conv7', x, 192, 3, 1, 1);
  x = layer('conv8', x, 192, 1, 1, conv8Padding1 ? 1 : 0);
  x = g.conv('classConv', x, { out: g.classes, kernel: 1, bias: true, convertible: false });
  x = g.relu('classConv.relu', x);
  g.flatten('flatten', g.globalAvgPool('pool', x));
}
