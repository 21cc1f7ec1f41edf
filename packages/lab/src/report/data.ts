import type { ReproduceResults } from '../render/reproduction.js';

/** The id of the `<script type="application/json">` block that `linearconv report` writes into report.html. */
export const REPORT_DATA_ID = 'linearconv-report-data';

/** The format of that block. */
export const REPORT_FORMAT = 'linearconv-report@1';

/** What a written report embeds: the result files as they were read, and what is missing. */
export interface ReportData {
  readonly format: typeof REPORT_FORMAT;
  readonly title?: string;
  /** The command line that wrote the page. */
  readonly command?: string;
  readonly date?: string;
  /** Where the page was written, in words. */
  readonly machine?: string;
  /** Each results file (a bench, lab or conformance JSON) with the label it is shown under. */
  readonly results: readonly { readonly label: string; readonly file?: string; readonly value: unknown }[];
  /** Training results (results.json of `pnpm reproduce`). */
  readonly reproduce?: { readonly file: string; readonly results: ReproduceResults };
  /** Parts asked for but not found, with the command that produces them. */
  readonly missing?: readonly { readonly what: string; readonly file: string; readonly command: string }[];
}
