import type { ZooModelName, ZooNode } from '@linearconv/core';

/**
 * Where each node of core's zoo graph lives in the state_dict of the authors' model file
 * (kkahatapitiya/LinearConv, models/*_xcnn.py), read from those files:
 * - base_xcnn.py / vgg_xcnn.py (class NET): `feat` is a Sequential of one Sequential per
 *   'M'-terminated group of their cfg; inside, [conv, BatchNorm2d, ReLU] per width, then the
 *   MaxPool2d. So conv j of group b is `feat.b.(3j)`, its batch norm `feat.b.(3j+1)`; `fc`.
 * - allconv_xcnn.py: `conv1` … `conv8`, `class_conv` (a plain nn.Conv2d in every cfg); no BN.
 * - resnet_xcnn.py, resnext_xcnn.py, mobilenetv2_xcnn.py: the zoo's names already are theirs
 *   (conv1, bn1, layer1.0.conv1, layers.3.bn2, linear, …), except the projection shortcut, an
 *   nn.Sequential(conv, BatchNorm2d): `….shortcut.0` and `….shortcut.1`.
 */
export function authorsPrefixes(arch: ZooModelName, nodes: readonly ZooNode[]): Map<string, string> {
  const prefixes = new Map<string, string>();
  if (arch === 'base' || arch === 'vgg11') {
    let group = 0;
    let index = 0;
    for (const node of nodes) {
      if (node.op === 'conv' || node.op === 'batchNorm') prefixes.set(node.name, `feat.${group}.${index}`);
      if (node.op === 'dense') prefixes.set(node.name, node.name);
      if (node.op === 'conv' || node.op === 'batchNorm' || node.op === 'relu') index++;
      if (node.op === 'maxPool') {
        group++;
        index = 0;
      }
    }
    return prefixes;
  }
  for (const node of nodes) {
    if (node.op !== 'conv' && node.op !== 'batchNorm' && node.op !== 'dense') continue;
    const name = arch === 'allconv' && node.name === 'classConv' ? 'class_conv' : node.name.replace(/\.shortcut\.conv$/, '.shortcut.0').replace(/\.shortcut\.bn$/, '.shortcut.1');
    prefixes.set(node.name, name);
  }
  return prefixes;
}
