import { type BackendRegistry, type ConformanceCase, committedCases, runConformance } from '@linearconv/conformance';
import { defaultBench, quickBench, runBench, selectLayers } from '@linearconv/conformance/bench';
import { describe, LinearConvError } from '@linearconv/core';
import { browserDevice } from './device.js';
import { probeBackends } from './probe.js';
import type { LabProgress, LabRunOptions } from './hook.js';
import { LAB_FORMAT, type LabBackend, type LabResult } from './result.js';

/**
 * One run of the lab on this browser: which backends start (and on what), the committed
 * conformance cases on each, then the speed suite on each. Backends that cannot start are
 * listed with why, and their checks reported skipped, as `linearconv conformance` does.
 */
export async function runLab(
  registry: BackendRegistry,
  options: LabRunOptions = {},
  onProgress: (progress: LabProgress) => void = () => {},
  probed?: readonly LabBackend[],
): Promise<LabResult> {
  const names = [...(options.backends ?? registry.names)];
  for (const name of names) registry.get(name);
  const preset = options.quick === false ? defaultBench : quickBench;
  // Every name is checked before anything starts.
  const cases = chooseCases(options.cases);
  const layers = options.layers === undefined ? preset.layers : selectLayers(requireNames('layers', options.layers));
  const date = new Date().toISOString();
  const device = await browserDevice();
  const backends =
    probed?.length && names.every((n) => probed.some((b) => b.name === n))
      ? names.map((n) => probed.find((b) => b.name === n)!)
      : await probeBackends(
          names.map((n) => registry.get(n)),
          (done, total, what) => onProgress({ stage: 'probe', done, total, what }),
        );
  const conformance = await runConformance(registry, {
    backends: names,
    cases,
    onCase: (done, total, what) => onProgress({ stage: 'conformance', done, total, what }),
  });
  const bench = await runBench(registry, {
    layers,
    batches: preset.batches,
    timing: preset.timing,
    backends: names,
    quick: preset.quick,
    command: `linearconv lab${preset.quick ? ' (quick)' : ''}`,
    device,
    onCaseStart: (done, total, what) => onProgress({ stage: 'bench', done, total, what }),
  });
  return { format: LAB_FORMAT, date, device, backends, conformance, bench };
}

function chooseCases(names: readonly string[] | undefined): ConformanceCase[] {
  const all = committedCases();
  if (names === undefined) return all;
  return requireNames('cases', names).map((name) => {
    const found = all.find((c) => c.name === name);
    if (!found) throw new LinearConvError('cases', `unknown case "${name}"; committed cases: ${all.map((c) => c.name).join(', ')}`);
    return found;
  });
}

function requireNames(field: string, names: unknown): readonly string[] {
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
    throw new LinearConvError(field, `must be a non-empty list of names, got ${describe(names)}`);
  }
  return names;
}
