import { type GraphBuilder, MODEL_INPUT } from './graph.js';

/**
 * ResNet-18, CIFAR style (authors' models/resnet_xcnn.py, after kuangliu/pytorch-cifar): a 3×3
 * stride-1 stem, four stages of two BasicBlocks (64, 128, 256, 512; stride 2 from stage 2 on),
 * global average pool (their avg_pool2d(4) on a 4×4 map) and FC 512→10. No conv has a bias;
 * every conv is converted, the 1×1 projection shortcuts too.
 */
export function buildResNet18(g: GraphBuilder): void {
  let x = g.conv('conv1', MODEL_INPUT, { out: 64, kernel: 3, padding: 1, bias: false, convertible: true });
  x = g.relu('relu1', g.batchNorm('bn1', x));
  let inPlanes = 64;
  const stages = [
    [64, 1],
    [128, 2],
    [256, 2],
    [512, 2],
  ] as const;
  stages.forEach(([planes, firstStride], stage) => {
    for (let block = 0; block < 2; block++) {
      const stride = block === 0 ? firstStride : 1;
      const p = `layer${stage + 1}.${block}`;
      let y = g.conv(`${p}.conv1`, x, { out: planes, kernel: 3, stride, padding: 1, bias: false, convertible: true });
      y = g.relu(`${p}.relu1`, g.batchNorm(`${p}.bn1`, y));
      y = g.conv(`${p}.conv2`, y, { out: planes, kernel: 3, padding: 1, bias: false, convertible: true });
      y = g.batchNorm(`${p}.bn2`, y);
      let shortcut = x;
      if (stride !== 1 || inPlanes !== planes) {
        shortcut = g.conv(`${p}.shortcut.conv`, x, { out: planes, kernel: 1, stride, bias: false, convertible: true });
        shortcut = g.batchNorm(`${p}.shortcut.bn`, shortcut);
      }
      x = g.relu(`${p}.relu2`, g.add(`${p}.add`, y, shortcut));
      inPlanes = planes;
    }
  });
  g.dense('linear', g.flatten('flatten', g.globalAvgPool('pool', x)), g.classes);
}
