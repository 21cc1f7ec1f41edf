import { readFile } from 'node:fs/promises';
import type { BenchReport } from '../bench/result.js';
import { UsageError } from '../io.js';

/** A bench.json written by `linearconv bench`, or null when the file does not exist. */
export async function readBenchReport(file: string): Promise<BenchReport | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
  let report: BenchReport;
  try {
    report = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (report?.format !== 'linearconv-bench@1') {
    throw new UsageError(`${file}: format: must be "linearconv-bench@1" (a bench.json from linearconv bench), got ${JSON.stringify(report?.format)}`);
  }
  for (const key of ['layers', 'results', 'omitted', 'unavailable'] as const) {
    if (!Array.isArray(report[key])) throw new UsageError(`${file}: ${key}: must be a list`);
  }
  return report;
}
