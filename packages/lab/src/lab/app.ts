import type { BackendRegistry } from '@linearconv/conformance';
import type { DeviceInfo } from '@linearconv/conformance/bench';
import { LinearConvError } from '@linearconv/core';
import { h } from '../render/dom.js';
import { type LabeledResult, labeledResult, renderResults } from '../render/index.js';
import { browserDevice } from './device.js';
import { probeBackends } from './probe.js';
import { recommend } from './recommend.js';
import type { LabBackend, LabResult } from './result.js';
import type { LabHook, LabProgress, LabRunOptions } from './hook.js';
import { runLab } from './run-lab.js';

const STAGES: Readonly<Record<LabProgress['stage'], string>> = { probe: 'Starting backends', conformance: 'Conformance', bench: 'Speed' };

/** The lab page in `root`: device, backends, the run with its progress, recommendations, results and comparisons. */
export function startLab(root: HTMLElement, registry: BackendRegistry): LabHook {
  const doc = root.ownerDocument;
  const deviceBox = h(doc, 'div', { id: 'device' }, 'Reading this browser’s adapters…');
  const backendRows = h(doc, 'tbody');
  const runButton = h(doc, 'button', { id: 'run', type: 'button', disabled: '' }, 'Run conformance and speed');
  const quickBox = h(doc, 'input', { id: 'quick', type: 'checkbox', checked: '' });
  const progressBar = h(doc, 'progress', { id: 'progress', max: '1', value: '0' });
  const status = h(doc, 'p', { id: 'status', class: 'lc-note' }, 'Trying every backend this browser might offer…');
  const advice = h(doc, 'ul', { id: 'recommendations' });
  const downloadButton = h(doc, 'button', { id: 'download', type: 'button', disabled: '' }, 'Download results (JSON)');
  const fileInput = h(doc, 'input', { id: 'files', type: 'file', accept: '.json,application/json', multiple: '' });
  const fileList = h(doc, 'ul', { id: 'compared' });
  const resultsBox = h(doc, 'div', { id: 'results' });

  root.replaceChildren(
    h(doc, 'header', {}, h(doc, 'h1', {}, 'linearconv lab'), h(doc, 'p', {}, 'Conformance and speed of every LinearConv adapter on this device, measured here, in this browser. ', h(doc, 'a', { href: 'train.html' }, 'Train a LinearConv CNN in the browser'), ' · ', h(doc, 'a', { href: 'report.html' }, 'Report page'))),
    h(doc, 'section', {}, h(doc, 'h2', {}, 'This browser'), deviceBox, h(doc, 'table', { id: 'backends' }, h(doc, 'thead', {}, h(doc, 'tr', {}, h(doc, 'th', {}, 'backend'), h(doc, 'th', {}, 'here'), h(doc, 'th', {}, 'runs on, or why not'))), backendRows)),
    h(doc, 'section', {}, h(doc, 'h2', {}, 'Run'), h(doc, 'p', {}, runButton, ' ', h(doc, 'label', {}, quickBox, ' quick speed suite (4 layers at batch 1, about a minute; unticked: every layer at batch 1 and 32, several minutes)')), progressBar, status),
    h(doc, 'section', {}, h(doc, 'h2', {}, 'Recommendation'), advice),
    h(doc, 'section', {}, h(doc, 'h2', {}, 'Results'), h(doc, 'p', {}, downloadButton, ' ', h(doc, 'label', {}, 'Compare with result files (from other devices, or linearconv bench --json): ', fileInput)), fileList, resultsBox),
  );
  advice.append(h(doc, 'li', { class: 'lc-note' }, 'Run the lab to get one.'));

  let device: DeviceInfo | undefined;
  let result: LabResult | null = null;
  let running: Promise<LabResult> | null = null;
  const compared: LabeledResult[] = [];

  const showBackends = (backends: readonly LabBackend[], pending: readonly string[] = []) => {
    backendRows.replaceChildren(
      ...backends.map((b) => h(doc, 'tr', { class: b.available ? 'up' : 'down' }, h(doc, 'td', {}, b.name), h(doc, 'td', {}, b.available ? 'available' : 'unavailable'), h(doc, 'td', {}, (b.available ? b.adapter : b.reason) ?? ''))),
      ...pending.map((name) => h(doc, 'tr', {}, h(doc, 'td', {}, name), h(doc, 'td', {}, '…'), h(doc, 'td', {}, ''))),
    );
  };
  const render = () => {
    const shown = [...(result ? [labeledResult(result, thisBrowser(result.device))] : []), ...compared];
    if (shown.length) renderResults(resultsBox, shown);
    else resultsBox.replaceChildren();
  };
  const onProgress = (p: LabProgress) => {
    const line = `${STAGES[p.stage]} ${p.done + 1}/${p.total}: ${p.what}`;
    progressBar.max = p.total;
    progressBar.value = p.done;
    status.textContent = line;
    // linearconv lab --headless forwards these lines to its stderr.
    (globalThis as { linearconvLabProgress?: (line: string) => void }).linearconvLabProgress?.(line);
  };

  const probed = (async () => {
    device = await browserDevice();
    deviceBox.replaceChildren(deviceSummary(doc, device));
    const backends = await probeBackends(
      registry.names.map((n) => registry.get(n)),
      (done, total, name, found) => {
        onProgress({ stage: 'probe', done, total, what: name });
        showBackends(found, registry.names.slice(done));
      },
    );
    showBackends(backends);
    const up = backends.filter((b) => b.available).length;
    status.textContent = `${up} of ${backends.length} backends start in this browser. Run them to check and time them.`;
    runButton.disabled = false;
    return backends;
  })();

  const run = async (options: LabRunOptions = {}): Promise<LabResult> => {
    if (running) return running;
    running = (async () => {
      const backends = await probed;
      runButton.disabled = true;
      downloadButton.disabled = true;
      try {
        const started = performance.now();
        result = await runLab(registry, { quick: quickBox.checked, ...options }, onProgress, backends);
        const { passed, failed, skipped } = result.conformance;
        progressBar.value = progressBar.max;
        status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(0)} s: ${passed} checks passed, ${failed} failed, ${skipped} skipped; ${result.bench.results.length / 3} speed cases measured.`;
        advice.replaceChildren(...recommend(result).map((r) => h(doc, 'li', {}, r.text, r.others.length ? h(doc, 'span', { class: 'lc-note' }, ` (others: ${r.others.map((o) => `${o.backend}: ${o.why}`).join('; ')})`) : null)));
        render();
        return result;
      } catch (e) {
        status.textContent = `The run stopped: ${(e as Error)?.message ?? String(e)}`;
        throw e;
      } finally {
        runButton.disabled = false;
        downloadButton.disabled = result === null;
        running = null;
      }
    })();
    return running;
  };

  const compare = (label: string, text: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new LinearConvError(label, `is not JSON (${(e as Error).message})`);
    }
    const loaded = labeledResult(parsed, label);
    compared.push(loaded);
    const remove = h(doc, 'button', { type: 'button' }, 'remove');
    const item = h(doc, 'li', {}, `${label}: ${describeShort(loaded.device)} `, remove);
    remove.addEventListener('click', () => {
      compared.splice(compared.indexOf(loaded), 1);
      item.remove();
      render();
    });
    fileList.append(item);
    render();
  };

  runButton.addEventListener('click', () => void run().catch(() => {}));
  downloadButton.addEventListener('click', () => {
    if (!result) return;
    const link = h(doc, 'a', { href: URL.createObjectURL(new Blob([JSON.stringify(result, null, 1)], { type: 'application/json' })), download: `linearconv-lab-${result.date.replace(/[:.]/g, '-')}.json` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  });
  fileInput.addEventListener('change', async () => {
    for (const file of fileInput.files ?? []) {
      try {
        compare(file.name, await file.text());
      } catch (e) {
        fileList.append(h(doc, 'li', { class: 'lc-bad' }, `${file.name}: ${(e as Error).message}`));
      }
    }
    fileInput.value = '';
  });

  return {
    probed,
    run,
    compare,
    get result() {
      return result;
    },
  };
}

function deviceSummary(doc: Document, device: DeviceInfo): HTMLElement {
  const gpu = device.gpu;
  return h(
    doc,
    'dl',
    { class: 'device' },
    h(doc, 'dt', {}, 'Browser'),
    h(doc, 'dd', {}, device.runtime),
    h(doc, 'dt', {}, 'WebGPU adapter'),
    h(doc, 'dd', {}, gpu ? [gpu.vendor, gpu.architecture, gpu.device, gpu.description].filter(Boolean).join(' · ') || '(the adapter gives no info)' : 'none (navigator.gpu is missing or gives no adapter)'),
    h(doc, 'dt', {}, 'WebGL renderer'),
    h(doc, 'dd', {}, device.webgl ? `${device.webgl.renderer} (${device.webgl.vendor})` : 'none (no WebGL context)'),
    h(doc, 'dt', {}, 'CPU cores'),
    h(doc, 'dd', {}, device.cpus === undefined ? 'not said' : String(device.cpus)),
  );
}

/** `this browser (HeadlessChrome 156, google swiftshader)`: the label of the run made here. */
function thisBrowser(device: DeviceInfo): string {
  return `this browser (${describeShort(device)})`;
}

function describeShort(device: DeviceInfo): string {
  const browser = /(HeadlessChrome|Edg|Firefox|Chrome|Safari)\/(\d+)/.exec(device.runtime);
  const gpu = device.gpu ? [device.gpu.vendor, device.gpu.architecture].filter(Boolean).join(' ') : '';
  return [browser ? `${browser[1]} ${browser[2]}` : device.runtime, device.cpuModel, gpu].filter(Boolean).join(', ');
}
