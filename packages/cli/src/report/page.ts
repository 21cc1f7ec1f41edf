import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labNode } from '../commands/lab.js';
import type { ReproduceResults } from './reproduce.js';

/** How to produce each part when its file is missing. */
export const PRODUCERS = {
  bench: 'linearconv bench',
  reproduce: 'pnpm reproduce (in a clone of the linearconv repository)',
};

/** The block of report.html that holds the data, and its format (the lab's report page reads them). */
export const REPORT_DATA_ID = 'linearconv-report-data';
export const REPORT_FORMAT = 'linearconv-report@1';

export interface ReportInput {
  /** The command line that writes this page. */
  readonly command: string;
  readonly date: string;
  /** Where it is written, in words. */
  readonly machine: string;
  /** Each results file (bench or lab JSON) as read; null when it does not exist. */
  readonly results: readonly { readonly file: string; readonly value: unknown | null }[];
  /** Null when no training results were asked for: the page has no training section. */
  readonly reproduce: { readonly file: string; readonly found: ReproduceResults | null } | null;
}

/** What the page renders: the results as read, the training results, and what is missing with its producer. */
export function reportData(input: ReportInput) {
  const found = input.results.filter((r) => r.value !== null);
  const training = input.reproduce?.found?.kind === 'smoke' ? 'a training smoke run' : 'paper parity';
  return {
    format: REPORT_FORMAT,
    title: input.reproduce ? `linearconv: speed and ${training}` : 'linearconv: speed',
    command: input.command,
    date: input.date,
    machine: input.machine,
    results: found.map((r, i) => ({ label: labels(found.map((f) => f.file))[i], file: r.file, value: r.value })),
    ...(input.reproduce?.found && { reproduce: { file: input.reproduce.file, results: input.reproduce.found } }),
    missing: [
      ...input.results.filter((r) => r.value === null).map((r) => ({ what: 'speed results', file: r.file, command: PRODUCERS.bench })),
      ...(input.reproduce && !input.reproduce.found ? [{ what: 'training results', file: input.reproduce.file, command: PRODUCERS.reproduce }] : []),
    ],
  };
}

/** Each file's shortest path suffix that tells it from the others: `bench.json`, or `latest/bench/bench.json` beside `bench/bench.json`. */
export function labels(files: readonly string[]): string[] {
  const parts = files.map((f) => f.split(/[\\/]+/).filter(Boolean));
  const longest = Math.max(1, ...parts.map((p) => p.length));
  for (let n = 1; n <= longest; n++) {
    const names = parts.map((p) => p.slice(-n).join('/'));
    if (new Set(names).size === names.length) return names;
  }
  return [...files];
}

/** The lab's built report page (one file, its script inlined): the one renderer of the lab and the CLI. */
export async function reportTemplate(): Promise<string> {
  const file = join((await labNode('linearconv report')).siteDir, 'report.html');
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}; @linearconv/lab ships it built (in the repository: pnpm --filter @linearconv/lab build)`);
  }
}

/**
 * The report page with `data` embedded as JSON, so that it opens from file:// with nothing
 * fetched. `<` is escaped so that no text in the data can end the script block.
 */
export function reportPage(template: string, data: ReturnType<typeof reportData>): string {
  const end = template.lastIndexOf('</body>');
  if (end < 0) throw new Error('report.html has no </body>: not the lab\'s report page');
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `${template.slice(0, end)}<script type="application/json" id="${REPORT_DATA_ID}">${json}</script>\n${template.slice(end)}`;
}
