import { type BenchReport, describeDevice, formatFlop, SLOW_BACKENDS } from '@linearconv/conformance/bench';
import { describeMachine } from './machine.js';

/** How the numbers were taken, as sentences: the same in the Markdown and the HTML report. */
export function benchNotes(report: BenchReport): string[] {
  const s = report.settings;
  const caps = Object.entries(s.flopCaps)
    .filter(([backend]) => s.backends.includes(backend))
    .map(([backend, flop]) => `${backend} up to ${formatFlop(flop)} a run${SLOW_BACKENDS[backend] ? ` (${SLOW_BACKENDS[backend].why})` : ''}`);
  // linearconv-bench@1 reports have no control rows.
  const control = report.results.some((r) => r.variant === 'control');
  return [
    // A Node run of the CLI has its machine (with the load at the end too); a browser run its device.
    `Machine: ${report.machine ? describeMachine(report.machine) : describeDevice(report.device)}.`,
    `Each case runs LinearConv (p = F/2, full coefficients)${control ? ',' : ' and'} a plain conv of the same shape holding the composed filters${control ? ', and a second copy of that plain conv (the control)' : ''} on the same backend, ` +
      `set up once, then timed side by side: ${s.warmup} warm-up runs each, then rounds of one run each, in shuffled order, until ${s.minRuns} runs each and ${s.budgetMs} ms in all (at most ${s.maxRuns}); medians. ` +
      'A run takes the NCHW input from the CPU and returns the output to it (tfjs: with the layout change to NHWC and back, alike for both variants).',
    'GFLOP/s = 2 · conv MACs · batch / median time (conv MACs only, from core\'s accounting). linearconv/conv is the ratio of the medians. ' +
      (control
        ? "The control's ratio to the plain conv is the noise of the measurement on that backend (on the onnx-*-folded backends LinearConv, too, runs the same folded model as the conv)."
        : 'On the onnx-*-folded backends both variants are the same folded model, so their spread is the measurement noise of the machine.'),
    'Max error: the largest |output − float64 reference| over the first image of the batch; the reference is computed once per layer at batch 1, and every batch starts with that image.',
    `Seeded weights and inputs (seed ${s.seed}).${caps.length ? ` Slow backends skip the large cases: ${caps.join('; ')}.` : ''}`,
  ];
}
