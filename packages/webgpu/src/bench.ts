/**
 * Benchmarks (`node dist/bench.js [--quick]`): the forward conv against tfjs-backend-webgpu's
 * conv2d on the same Dawn adapter and shapes (the CIFAR ResNet-18 and VGG11 conv layers), the
 * composition, and a forward + backward step. Medians after warm-up; every timed run ends with
 * a readback of the whole output on both sides. Writes bench-results.json and .md here.
 */
import './dawn.js';
import { writeFileSync } from 'node:fs';
import { timeSideBySide } from '@linearconv/conformance/bench';
import { createRandom, initialWeights, type LayerSpecInput, layerSpec, uniformArray } from '@linearconv/core';
import { download, upload } from './buffers.js';
import { convForwardProgram } from './conv-forward.js';
import { convShape } from './conv-shape.js';
import { getGpu, requestDevice } from './device.js';
import { LinearConvLayer } from './layer.js';
import { GpuRuntime } from './runtime.js';

interface ConvCase {
  readonly net: string;
  readonly c: number;
  readonly f: number;
  readonly size: number;
  readonly k: number;
  readonly stride: number;
}

// The distinct conv shapes of the paper's CIFAR models (3×32×32 input), 'same' padding.
const RESNET18: ConvCase[] = [
  { net: 'ResNet-18 conv1', c: 3, f: 64, size: 32, k: 3, stride: 1 },
  { net: 'ResNet-18 layer1', c: 64, f: 64, size: 32, k: 3, stride: 1 },
  { net: 'ResNet-18 layer2 down', c: 64, f: 128, size: 32, k: 3, stride: 2 },
  { net: 'ResNet-18 layer2 shortcut', c: 64, f: 128, size: 32, k: 1, stride: 2 },
  { net: 'ResNet-18 layer2', c: 128, f: 128, size: 16, k: 3, stride: 1 },
  { net: 'ResNet-18 layer3 down', c: 128, f: 256, size: 16, k: 3, stride: 2 },
  { net: 'ResNet-18 layer3', c: 256, f: 256, size: 8, k: 3, stride: 1 },
  { net: 'ResNet-18 layer4 down', c: 256, f: 512, size: 8, k: 3, stride: 2 },
  { net: 'ResNet-18 layer4', c: 512, f: 512, size: 4, k: 3, stride: 1 },
];
const VGG11: ConvCase[] = [
  { net: 'VGG11 conv2', c: 64, f: 128, size: 16, k: 3, stride: 1 },
  { net: 'VGG11 conv4', c: 256, f: 256, size: 8, k: 3, stride: 1 },
  { net: 'VGG11 conv5', c: 256, f: 512, size: 4, k: 3, stride: 1 },
  { net: 'VGG11 conv8', c: 512, f: 512, size: 2, k: 3, stride: 1 },
];

const quick = process.argv.includes('--quick');
const forwardCases: [ConvCase, number][] = quick
  ? [RESNET18[1], RESNET18[4], RESNET18[8], VGG11[3]].map((c) => [c, 1])
  : [...[...RESNET18, ...VGG11].map((c): [ConvCase, number] => [c, 1]), ...[RESNET18[1], RESNET18[4], RESNET18[6], VGG11[1], RESNET18[8]].map((c): [ConvCase, number] => [c, 32])];
const REPS = quick ? 3 : 5;

type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * The harness's timer (@linearconv/conformance/bench): one warm-up run of each (compiles,
 * composes, allocates), then REPS rounds of one run each in a shuffled order; the medians.
 */
async function medians(...runs: (() => Promise<unknown>)[]): Promise<number[]> {
  return (await timeSideBySide(runs, { warmup: 1, minRuns: REPS, maxRuns: REPS, budgetMs: 0 })).map((t) => t.medianMs);
}

async function loadTfjs(gpu: GPU): Promise<Tf> {
  // tfjs-backend-webgpu looks for navigator.gpu and the WebGPU globals: give it Dawn's, the same
  // GPU object (and so the same adapter) this package's device comes from.
  const dawn = (await import('webgpu')) as unknown as { globals: object };
  Object.assign(globalThis, dawn.globals);
  const scope = globalThis as { navigator?: { gpu?: GPU } };
  if (scope.navigator) Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  else scope.navigator = { gpu };
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs webgpu backend failed to start');
  await tf.ready();
  return tf;
}

async function main() {
  const gpu = await getGpu();
  const device = await requestDevice({ gpu });
  const runtime = GpuRuntime.for(device);
  const info = device.adapterInfo;
  const adapter = `${info.vendor} ${info.architecture} — ${info.description}`.trim();
  const tf = await loadTfjs(gpu);
  console.log(`adapter: ${adapter}; tile profile: ${runtime.target.profile}; ${quick ? 'quick' : 'full'} run`);

  const forward: Record<string, unknown>[] = [];
  for (const [c, batch] of forwardCases) {
    const spec = layerSpec({ inChannels: c.c, outChannels: c.f, kernelSize: c.k, strides: c.stride, padding: 'same' } satisfies LayerSpecInput);
    const inputShape = [batch, c.c, c.size, c.size];
    const shape = convShape(spec, inputShape);
    const outSize = batch * c.f * shape.outHeight * shape.outWidth;
    const flops = 2 * outSize * c.c * c.k * c.k;
    const random = createRandom(c.c * c.f + batch);
    const layer = new LinearConvLayer(device, spec, initialWeights(spec, random));
    const xData = uniformArray(random, batch * c.c * c.size * c.size, -1, 1);
    const x = upload(device, xData);
    const key = convForwardProgram(shape, { bias: true, target: runtime.target }).key.split('/').pop();
    const tx = tf.tidy(() => tf.transpose(tf.tensor4d(xData, [batch, c.c, c.size, c.size]), [0, 2, 3, 1]));
    const tw = tf.randomUniform([c.k, c.k, c.c, c.f], -0.1, 0.1) as import('@tensorflow/tfjs-core').Tensor4D;
    const tb = tf.randomUniform([c.f], -0.1, 0.1) as import('@tensorflow/tfjs-core').Tensor1D;
    // Side by side, so a change in load hits both alike. The baseline is tfjs's own conv2d with the
    // input already on the GPU, which `linearconv bench` (CPU in, CPU out, our plain conv) does not time.
    const [ours, theirs] = await medians(
      async () => {
        const y = await layer.forward(x, inputShape);
        await download(device, y, outSize);
        y.destroy();
      },
      async () => {
        const y = tf.fused.conv2d({ x: tx, filter: tw, bias: tb, strides: c.stride, pad: 'same' });
        await y.data();
        y.dispose();
      },
    );
    tf.dispose([tx, tw, tb]);
    x.destroy();
    layer.dispose();
    const row = {
      layer: c.net,
      shape: `${c.c}→${c.f} ${c.k}×${c.k}/${c.stride} @${c.size}`,
      batch,
      oursMs: round(ours),
      tfjsMs: round(theirs),
      oursGflops: round(flops / ours / 1e6),
      tfjsGflops: round(flops / theirs / 1e6),
      ratio: round(theirs / ours),
      blocking: key,
    };
    forward.push(row);
    console.log(JSON.stringify(row));
  }

  const compose: Record<string, unknown>[] = [];
  const composeLayers: [string, LayerSpecInput][] = [
    ['ResNet-18 layer1 (64→64 3×3), full', { inChannels: 64, outChannels: 64, kernelSize: 3 }],
    ['VGG11 conv8 (512→512 3×3), full', { inChannels: 512, outChannels: 512, kernelSize: 3 }],
    ['VGG11 conv8 (512→512 3×3), low rank 10', { inChannels: 512, outChannels: 512, kernelSize: 3, coefficients: { kind: 'lowRank', rank: 10 } }],
  ];
  for (const [name, input] of quick ? composeLayers.slice(0, 2) : composeLayers) {
    const spec = layerSpec(input);
    const layer = new LinearConvLayer(device, spec, initialWeights(spec, createRandom(5)));
    const [ms] = await medians(async () => {
      layer.weightsChanged();
      await layer.filters();
      await runtime.sync();
    });
    layer.dispose();
    const row = { layer: name, composeMs: round(ms) };
    compose.push(row);
    console.log(JSON.stringify(row));
  }

  const step: Record<string, unknown>[] = [];
  for (const [c, batch] of (quick ? [[RESNET18[4], 1]] : [[RESNET18[1], 1], [RESNET18[4], 1], [RESNET18[4], 32]]) as [ConvCase, number][]) {
    const spec = layerSpec({ inChannels: c.c, outChannels: c.f, kernelSize: c.k, strides: c.stride, padding: 'same' });
    const inputShape = [batch, c.c, c.size, c.size];
    const layer = new LinearConvLayer(device, spec, initialWeights(spec, createRandom(6)), { activation: 'relu' });
    const x = upload(device, uniformArray(createRandom(7), batch * c.c * c.size * c.size, -1, 1));
    const [ms] = await medians(async () => {
      layer.weightsChanged(); // an optimizer step changed the weights: compose again
      const y = await layer.forward(x, inputShape);
      const grads = await layer.backward(x, inputShape, y, { output: y });
      await download(device, grads.primaryGrad, 1);
      for (const b of [y, ...Object.values(grads)]) b.destroy();
    });
    x.destroy();
    layer.dispose();
    const row = { layer: `${c.net} (${c.c}→${c.f} @${c.size}), relu`, batch, stepMs: round(ms) };
    step.push(row);
    console.log(JSON.stringify(row));
  }

  const results = { adapter, profile: runtime.target.profile, mode: quick ? 'quick' : 'full', reps: REPS, date: new Date().toISOString().slice(0, 10), forward, compose, step };
  const here = new URL('../', import.meta.url);
  writeFileSync(new URL('bench-results.json', here), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(new URL('bench-results.md', here), markdown(results));
  console.log(markdown(results));
  device.destroy();
}

function markdown(r: { adapter: string; profile: string; mode: string; reps: number; date: string; forward: Record<string, unknown>[]; compose: Record<string, unknown>[]; step: Record<string, unknown>[] }): string {
  const lines = [
    `# @linearconv/webgpu benchmarks`,
    '',
    `Adapter: ${r.adapter} (tile profile \`${r.profile}\`), ${r.mode} run of \`node dist/bench.js\`, ${r.date}. Median of ${r.reps} runs after a warm-up, ours and tfjs's taking turns in a shuffled order (the harness timer of @linearconv/conformance/bench); each run ends with a readback of the whole output, on both sides. tfjs is @tensorflow/tfjs-backend-webgpu 4.22.0 (\`tf.fused.conv2d\` with bias, NHWC, its native layout) on the same Dawn adapter; ours is \`LinearConvLayer.forward\` (NCHW) with the filters composed once. Ratio = tfjs time / our time (above 1: ours is faster).`,
    '',
    '## Forward conv',
    '',
    '| layer | shape | batch | ours ms | tfjs ms | ours GFLOP/s | tfjs GFLOP/s | ratio | our blocking |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.forward.map((f) => `| ${f.layer} | ${f.shape} | ${f.batch} | ${f.oursMs} | ${f.tfjsMs} | ${f.oursGflops} | ${f.tfjsGflops} | ${f.ratio} | \`${f.blocking}\` |`),
    '',
    '## Composition (W = concat(P, A·P), once per weight change)',
    '',
    '| layer | ms |',
    '|---|---|',
    ...r.compose.map((c) => `| ${c.layer} | ${c.composeMs} |`),
    '',
    '## Training step (compose, forward with relu, backward to every stored weight)',
    '',
    '| layer | batch | ms |',
    '|---|---|---|',
    ...r.step.map((s) => `| ${s.layer} | ${s.batch} | ${s.stepMs} |`),
    '',
  ];
  return lines.join('\n');
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
