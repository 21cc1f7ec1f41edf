import { type GraphBuilder, MODEL_INPUT } from './graph.js';

/** (expansion, out channels, blocks, first stride), CIFAR strides as in kuangliu/pytorch-cifar. */
const stages = [
  [1, 16, 1, 1],
  [6, 24, 2, 1],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
] as const;

/**
 * MobileNetV2 for CIFAR (authors' models/mobilenetv2_xcnn.py, kuangliu/pytorch-cifar): a 3×3
 * stride-1 stem to 32, inverted residual blocks (1×1 expand + BN + ReLU, 3×3 depthwise + BN +
 * ReLU, 1×1 project + BN; a residual only at stride 1, through a 1×1 conv + BN when the widths
 * differ; no ReLU after the add), a 1×1 conv 320→1280 + BN + ReLU, global average pool (their
 * avg_pool2d(4) on a 4×4 map) and FC 1280→10. ReLU, not ReLU6, as in their code. No conv has a
 * bias; every conv is converted, the depthwise ones too.
 *
 * Why -Lr grows (2.30 M → 3.92 M) with no special parameterisation: a depthwise conv has D = 9,
 * so its F·9 weights become p·9 + s·p with p = s = F/2, and the [s, p] coefficients (F²/4, e.g.
 * 230,400 for F = 960) dwarf the filters. Low rank (R·F) removes that, hence 1.35 M.
 */
export function buildMobileNetV2(g: GraphBuilder): void {
  let x = g.conv('conv1', MODEL_INPUT, { out: 32, kernel: 3, padding: 1, bias: false, convertible: true });
  x = g.relu('relu1', g.batchNorm('bn1', x));
  let inPlanes = 32;
  let index = 0;
  for (const [expansion, out, blocks, firstStride] of stages) {
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 ? firstStride : 1;
      const planes = expansion * inPlanes;
      const p = `layers.${index++}`;
      let y = g.conv(`${p}.conv1`, x, { out: planes, kernel: 1, bias: false, convertible: true });
      y = g.relu(`${p}.relu1`, g.batchNorm(`${p}.bn1`, y));
      y = g.conv(`${p}.conv2`, y, {
        out: planes,
        kernel: 3,
        stride,
        padding: 1,
        groups: planes,
        bias: false,
        convertible: true,
      });
      y = g.relu(`${p}.relu2`, g.batchNorm(`${p}.bn2`, y));
      y = g.conv(`${p}.conv3`, y, { out, kernel: 1, bias: false, convertible: true });
      y = g.batchNorm(`${p}.bn3`, y);
      if (stride === 1) {
        let shortcut = x;
        if (inPlanes !== out) {
          shortcut = g.conv(`${p}.shortcut.conv`, x, { out, kernel: 1, bias: false, convertible: true });
          shortcut = g.batchNorm(`${p}.shortcut.bn`, shortcut);
        }
        y = g.add(`${p}.add`, y, shortcut);
      }
      x = y;
      inPlanes = out;
    }
  }
  x = g.conv('conv2', x, { out: 1280, kernel: 1, bias: false, convertible: true });
  x = g.relu('relu2', g.batchNorm('bn2', x));
  g.dense('linear', g.flatten('flatten', g.globalAvgPool('pool', x)), g.classes);
}
