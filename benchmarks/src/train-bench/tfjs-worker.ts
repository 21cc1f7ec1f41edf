/**
 * The tfjs worker of `pnpm bench:train` (protocol.ts): one backend and thread count for the whole
 * process, every requested model built up front, one timed training step per request.
 * Started by the parent as `node dist/train-bench/tfjs-worker.js '<WorkerSettings JSON>'`.
 */
import { createInterface } from 'node:readline';
import { enableWasmTraining, trainableParams, zooModel } from '@linearconv/tfjs';
import { useWasmThreads } from '@linearconv/tfjs/node';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { encode, type KernelTime, type Message, type ModelName, type Request, type StepProfile, type VariantName, type WorkerSettings } from './protocol.js';

const send = (message: Message) => process.stdout.write(encode(message));
const settings = JSON.parse(process.argv[2]) as WorkerSettings;
const backend = settings.backend ?? 'wasm';

/** Threads in effect, or why this configuration cannot run. */
async function selectBackend(): Promise<{ threads: number; note: string } | { absent: string }> {
  if (backend === 'cpu') {
    if (settings.threads !== 1) return { absent: 'tfjs-cpu runs on one thread' };
    await tf.setBackend('cpu');
    return { threads: 1, note: 'cpu' };
  }
  await useWasmThreads(settings.threads);
  if (!(await tf.setBackend('wasm'))) return { absent: 'tf.setBackend("wasm") failed' };
  enableWasmTraining();
  const threads = getThreadsCount();
  if (threads !== settings.threads) return { absent: `asked for ${settings.threads} wasm threads, got ${threads}` };
  return { threads, note: 'useWasmThreads' };
}

async function main(): Promise<void> {
  const selected = await selectBackend();
  if ('absent' in selected) {
    send({ type: 'absent', reason: selected.absent });
    return;
  }
  const x = tf.randomNormal([settings.batch, 32, 32, 1], 0, 1, 'float32', settings.seed);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([settings.batch], 0, 10, 'int32', settings.seed + 1) as tf.Tensor1D, 10));
  const cases = new Map<string, { model: tf.LayersModel; optimizer: tf.Optimizer }>();
  const key = (model: ModelName, variant: VariantName) => `${model}/${variant}`;
  for (const model of settings.models) {
    for (const variant of settings.variants) {
      const m = zooModel(model, { variant: variant === 'conv' ? 'conv' : 'full', inputShape: [32, 32, 1], classes: 10 });
      cases.set(key(model, variant), { model: m, optimizer: tf.train.adam(1e-3) });
    }
  }
  send({
    type: 'ready',
    threads: selected.threads,
    versions: { tfjs: tf.version.tfjs, node: process.version, backend: `${tf.getBackend()} (${selected.note})` },
    cases: settings.models.flatMap((model) => settings.variants.map((variant) => ({ model, variant, params: trainableParams(cases.get(key(model, variant))!.model) }))),
  });

  for await (const line of createInterface({ input: process.stdin })) {
    const request = JSON.parse(line) as Request;
    if (request.op === 'exit') break;
    const c = cases.get(key(request.model, request.variant));
    if (!c) {
      send({ type: 'error', message: `unknown request ${line}` });
      continue;
    }
    const { model, variant } = request;
    const step = () => c.optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, c.model.apply(x, { training: true }) as tf.Tensor2D) as tf.Scalar, true)!;
    if (request.op === 'profile') {
      const info = await tf.profile(() => step());
      send({ type: 'profile', model, variant, ...kernelTimes(info.kernels) });
      continue;
    }
    const start = performance.now();
    const loss = step();
    // The step is done when its loss can be read.
    const value = (await loss.data())[0];
    const ms = performance.now() - start;
    loss.dispose();
    send({ type: 'step', model, variant, ms, loss: value });
  }
  for (const { model, optimizer } of cases.values()) {
    model.dispose();
    optimizer.dispose();
  }
  tf.dispose([x, y]);
}

/**
 * Per-kernel totals. A tf.customGrad op (fused conv, fused matmul) is listed as `name__op` and
 * again as the kernel it runs: only the kernel counts.
 */
function kernelTimes(kernels: readonly { name: string; kernelTimeMs: unknown }[]): StepProfile {
  const totals = new Map<string, KernelTime>();
  for (const k of kernels) {
    if (k.name.endsWith('__op') || typeof k.kernelTimeMs !== 'number') continue;
    const t = totals.get(k.name) ?? { name: k.name, ms: 0, calls: 0 };
    t.ms += k.kernelTimeMs;
    t.calls++;
    totals.set(k.name, t);
  }
  const sorted = [...totals.values()].sort((a, b) => b.ms - a.ms);
  return { kernelMs: sorted.reduce((s, k) => s + k.ms, 0), kernels: sorted };
}

// Exits explicitly: a threaded wasm backend's worker threads would keep the process alive.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  },
);
