// The harness's number formats, so that the terminal, the Markdown and the pages agree.
export { formatError, formatGflops, formatMs, formatRatio } from '@linearconv/conformance/bench';
import { formatRatio } from '@linearconv/conformance/bench';

/** A range of ratios, `×0.97–×1.04`, or `–`. */
export function formatRange(range: { readonly min: number; readonly max: number } | null): string {
  return range === null ? '–' : `${formatRatio(range.min)}–${formatRatio(range.max)}`;
}
