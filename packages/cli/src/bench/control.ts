import { type BackendSummary, type BenchReport, formatRatio, summariseBackends } from '@linearconv/conformance/bench';
import { formatControl } from './format.js';

/** How far a control ratio may stray from ×1 before the backend's ratios count as noise. */
export const CONTROL_TOLERANCE = 0.05;

/** Whether every control ratio of a backend lies within ±5 % of ×1; null without a control. */
export function controlSteady(summary: BackendSummary): boolean | null {
  const c = summary.control;
  return c === null ? null : c.min >= 1 - CONTROL_TOLERANCE && c.max <= 1 + CONTROL_TOLERANCE;
}

/**
 * What the control showed, as sentences for the terminal, the Markdown and the HTML page: where
 * it stayed within ±5 %, where it did not (there the linearconv/conv ratios are noise), and for a
 * quick run that its figures are a check, not a measurement.
 */
export function controlNotes(report: Pick<BenchReport, 'settings' | 'results' | 'omitted' | 'unavailable'>): string[] {
  const measured = summariseBackends(report).filter((s) => s.measured > 0);
  const withControl = measured.filter((s) => s.control !== null);
  const noisy = withControl.filter((s) => controlSteady(s) === false);
  const steady = withControl.filter((s) => controlSteady(s) === true);
  const percent = `±${Math.round(CONTROL_TOLERANCE * 100)} %`;
  const notes: string[] = [];
  if (measured.length > 0 && withControl.length === 0) {
    notes.push('No control was measured (a linearconv-bench@1 report): how much of each ratio is noise is not known.');
  } else if (withControl.length > 0) {
    notes.push('Control: each case also times a second copy of the plain conv in the same rounds; without noise its ratio to the conv would be ×1.00.');
    if (noisy.length === 0) {
      const lo = Math.min(...withControl.map((s) => s.control!.min));
      const hi = Math.max(...withControl.map((s) => s.control!.max));
      notes.push(`It stayed within ${percent} on every backend (${formatRatio(lo)}–${formatRatio(hi)}): the linearconv/conv ratios are resolved to about ${percent}.`);
    } else {
      notes.push(
        `It strayed beyond ${percent} on ${noisy.length} of ${withControl.length} backends (${noisy.map((s) => `${s.backend} ${formatControl(s)}`).join(', ')}): ` +
          'there the measurement is too noisy for its linearconv/conv ratios to tell the layers apart.' +
          (steady.length ? ` Within ${percent}: ${steady.map((s) => s.backend).join(', ')}.` : ''),
      );
    }
  }
  if (report.settings.quick) {
    const timed = `each case is timed for about ${report.settings.budgetMs} ms in all (at least ${report.settings.minRuns} runs each)`;
    const check = 'a check that every backend runs and agrees with the reference, not a speed measurement';
    notes.push(
      noisy.length > 0
        ? `Quick run (--quick): ${timed}, ${check}: where the control strayed, its speed figures are noise. Run linearconv bench without --quick to measure.`
        : `Quick run (--quick): ${timed}. The control stayed within ${percent} this time, but a quick run is ${check}: run linearconv bench without --quick to measure.`,
    );
  }
  return notes;
}
