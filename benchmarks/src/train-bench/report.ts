/** The markdown report of a `pnpm bench:train` run, and the files it is written to. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResult } from './run.js';
import type { Row } from './summary.js';

export const SMOKE_NOTE = 'smoke run, not a measurement';

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(' / ');
const variantName = (v: Row['variant']) => (v === 'conv' ? 'Conv' : 'LinearConv');
const runtime = (r: Pick<Row, 'framework' | 'backend'>) => `${r.framework === 'tfjs' ? 'tfjs' : 'PyTorch'} ${r.backend}`;

export function markdownReport(result: BenchResult, command: string): string {
  const { settings, machine, loadAverage } = result;
  const lines = [
    `# Training step: tfjs vs PyTorch${result.smoke ? ` (${SMOKE_NOTE})` : ''}`,
    '',
    `\`${command}\`, ${result.date.slice(0, 16).replace('T', ' ')} UTC, ${result.seconds.toFixed(0)} s.`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}. Load average (1 / 5 / 15 min): ${load(loadAverage.start)} at start, ${load(loadAverage.end)} at the end.`,
    ...Object.entries(result.versions).map(([id, v]) => `- ${id}: ${Object.entries(v).map(([k, x]) => `${k} ${x}`).join(', ')}`),
    '',
    `One step: forward in training mode, softmax cross-entropy, backward, Adam (lr 1e-3), batch ${settings.batch} of seeded random 32×32×1 images, 10 classes.`,
    `Median wall time of ${settings.steps} timed steps per row after ${settings.warmup} warm-up (tfjs-cpu: an eighth, none); one worker process per configuration, the steps`,
    'interleaved round-robin, one at a time. Conv: nn.Conv2d / tf.layers.conv2d. LinearConv: PyTorch, the authors\' xCNN (recomposes its filters every',
    'step); tfjs, our LinearConv2D (p = F/2, full coefficients).',
    ...(result.smoke ? ['', `**${SMOKE_NOTE}**: ${settings.steps} step(s) a row, batch ${settings.batch}.`] : []),
    '',
    '| framework | backend | threads | model | variant | params | step ms | min–max ms | images/s | steps |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...result.results.map((r) => {
      const head = `| ${r.framework} | ${r.backend} | ${r.threads} | ${r.model} | ${variantName(r.variant)} | ${r.params?.toLocaleString('en') ?? '–'} |`;
      if (r.stepMs === null) return `${head} absent: ${r.reason} | | | |`;
      return `${head} ${fmt(r.stepMs)} | ${fmt(r.minMs!)}–${fmt(r.maxMs!)} | ${r.imagesPerSecond!.toFixed(0)} | ${r.steps} |`;
    }),
  ];
  const { tfjsWasmOverPytorch, linearconvOverConv } = result.ratios;
  if (tfjsWasmOverPytorch.length > 0) {
    lines.push('', 'tfjs-wasm ÷ PyTorch CPU, equal threads (target for Base: ≤ 2.0):', '', '| model | variant | threads | tfjs-wasm ms | PyTorch ms | ratio |', '|---|---|---|---|---|---|');
    for (const r of tfjsWasmOverPytorch) lines.push(`| ${r.model} | ${variantName(r.variant)} | ${r.threads} | ${fmt(r.tfjsWasmMs)} | ${fmt(r.pytorchMs)} | ${r.ratio.toFixed(2)} |`);
  }
  if (linearconvOverConv.length > 0) {
    lines.push('', 'LinearConv ÷ Conv (target for tfjs-wasm: ≤ 1.05):', '', '| framework | backend | threads | model | LinearConv ms | Conv ms | ratio |', '|---|---|---|---|---|---|---|');
    for (const r of linearconvOverConv) lines.push(`| ${r.framework} | ${r.backend} | ${r.threads} | ${r.model} | ${fmt(r.linearconvMs)} | ${fmt(r.convMs)} | ${r.ratio.toFixed(2)} |`);
  }
  const params = paramCheck(result.results);
  if (params) lines.push('', params);
  if (result.profiles) lines.push('', ...profileTables(result.profiles));
  return `${lines.join('\n')}\n`;
}

/** The slowest kernels of each profiled row, side by side per row. */
function profileTables(profiles: NonNullable<BenchResult['profiles']>): string[] {
  const top = 8;
  const lines = [
    `Where a step's time goes: \`tf.profile\` of one more step per tfjs-wasm row, its ${top} slowest kernels (summed over calls; share of all kernels' time).`,
  ];
  for (const p of profiles) {
    lines.push('', `${p.configuration}, ${p.model} ${variantName(p.variant)}: kernels ${fmt(p.kernelMs)} ms`, '', '| kernel | ms | share | calls |', '|---|---|---|---|');
    for (const k of p.kernels.slice(0, top)) lines.push(`| ${k.name} | ${fmt(k.ms)} | ${((100 * k.ms) / p.kernelMs).toFixed(1)} % | ${k.calls} |`);
  }
  return lines;
}

/** Whether both frameworks' models have the same trainable parameters, per model and variant. */
function paramCheck(rows: readonly Row[]): string | undefined {
  const parts: string[] = [];
  for (const r of rows) {
    const label = `${r.model} ${variantName(r.variant)}`;
    if (r.params === null || parts.some((p) => p.startsWith(`${label}:`))) continue;
    const counts = new Map<string, number>();
    for (const o of rows) if (o.model === r.model && o.variant === r.variant && o.params !== null) counts.set(runtime(o).split(' ')[0], o.params);
    const values = [...counts.values()];
    const same = values.every((v) => v === values[0]);
    parts.push(`${label}: ${same ? `${values[0].toLocaleString('en')} in ${[...counts.keys()].join(' and ')}` : [...counts].map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(' vs ')}${same ? '' : ' (DIFFERENT)'}`);
  }
  return parts.length > 0 ? `Trainable parameters: ${parts.join('; ')}.` : undefined;
}

/** Writes train-bench.json and train-bench.md to `dir`; returns their paths. */
export async function writeReport(result: BenchResult, markdown: string, command: string, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'train-bench.json');
  const md = join(dir, 'train-bench.md');
  await writeFile(json, `${JSON.stringify({ command, ...result }, null, 2)}\n`);
  await writeFile(md, markdown);
  return [json, md];
}
