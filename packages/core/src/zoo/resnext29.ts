import { type GraphBuilder, MODEL_INPUT } from './graph.js';

/**
 * ResNeXt-29 2×64d (authors' models/resnext_xcnn.py, kuangliu/pytorch-cifar's ResNeXt29_2x64d):
 * a 1×1 stem 3→64, three stages of three bottleneck blocks (1×1 → grouped 3×3 with cardinality 2
 * → 1×1 to twice the group width; group width 128, 256, 512; stride 2 from stage 2 on; 1×1
 * projection shortcuts), global average pool (their avg_pool2d(8) on an 8×8 map), FC 1024→10.
 * No conv has a bias. Every block conv is converted, grouped ones and shortcuts included.
 *
 * `convertStem`: the authors' published code keeps the stem plain (its LinearConv version is
 * commented out), but the paper's -Lr count (6.48 M) is only reached with the stem converted:
 * plain gives 6,474,570 (6.47 M), converted 6,475,498 (6.48 M); -LRr is 4.71 M either way.
 */
export function buildResNeXt29(g: GraphBuilder, convertStem: boolean): void {
  const cardinality = 2;
  let bottleneckWidth = 64;
  let x = g.conv('conv1', MODEL_INPUT, { out: 64, kernel: 1, bias: false, convertible: convertStem });
  x = g.relu('relu1', g.batchNorm('bn1', x));
  let inPlanes = 64;
  [1, 2, 2].forEach((firstStride, stage) => {
    const width = cardinality * bottleneckWidth;
    for (let block = 0; block < 3; block++) {
      const stride = block === 0 ? firstStride : 1;
      const p = `layer${stage + 1}.${block}`;
      let y = g.conv(`${p}.conv1`, x, { out: width, kernel: 1, bias: false, convertible: true });
      y = g.relu(`${p}.relu1`, g.batchNorm(`${p}.bn1`, y));
      y = g.conv(`${p}.conv2`, y, {
        out: width,
        kernel: 3,
        stride,
        padding: 1,
        groups: cardinality,
        bias: false,
        convertible: true,
      });
      y = g.relu(`${p}.relu2`, g.batchNorm(`${p}.bn2`, y));
      y = g.conv(`${p}.conv3`, y, { out: 2 * width, kernel: 1, bias: false, convertible: true });
      y = g.batchNorm(`${p}.bn3`, y);
      let shortcut = x;
      if (stride !== 1 || inPlanes !== 2 * width) {
        shortcut = g.conv(`${p}.shortcut.conv`, x, {
          out: 2 * width,
          kernel: 1,
          stride,
          bias: false,
          convertible: true,
        });
        shortcut = g.batchNorm(`${p}.shortcut.bn`, shortcut);
      }
      x = g.relu(`${p}.relu3`, g.add(`${p}.add`, y, shortcut));
      inPlanes = 2 * width;
    }
    bottleneckWidth *= 2;
  });
  g.dense('linear', g.flatten('flatten', g.globalAvgPool('pool', x)), g.classes);
}
