// train.html's entry: the training view on the digits shipped with the page, and its hook for
// scripts (window.linearconvTrain), which the headless-Chromium test drives.
import digitsUrl from '../../assets/digits.bin.gz?url';
import { ensureStyle } from '../render/style.js';
import { loadDigits } from './digits.js';
import { mountTrainView, type TrainRunOptions, type TrainRunResult } from './view.js';
import type { BackendOffer } from './backends.js';

export interface TrainHook {
  /** Resolves once the digits are loaded and the view is built; rejects with why it could not be. */
  readonly ready: Promise<void>;
  backends(): Promise<BackendOffer[]>;
  run(options?: TrainRunOptions): Promise<TrainRunResult>;
}

declare global {
  interface Window {
    linearconvTrain: TrainHook;
  }
}

const CSS = `
body { margin: 0; }
.lc-train { padding: 16px 24px; max-width: 1300px; }
.lc-train h1 { font-size: 22px; margin: 0 0 8px; }
.lc-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 12px 0; }
.lc-controls input { width: 6em; }
.lc-unavailable { color: #555; font-size: 13px; margin: 4px 0; }
.lc-train-curves, .lc-train-heatmaps { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.lc-train-curves figure, .lc-train-heatmaps figure { margin: 0 0 12px; }
`;

const root = document.getElementById('train') ?? document.body.appendChild(document.createElement('main'));
root.classList.add('lc-results', 'lc-train');
ensureStyle(document);
const style = document.createElement('style');
style.textContent = CSS;
document.head.append(style);

const view = loadDigits(digitsUrl).then((digits) => mountTrainView(root, digits));
view.catch((e: Error) => {
  root.textContent = `The training view could not start: ${e.message}`;
});
window.linearconvTrain = {
  ready: view.then(() => undefined),
  backends: async () => (await view).offers,
  run: async (options) => (await view).run(options),
};
