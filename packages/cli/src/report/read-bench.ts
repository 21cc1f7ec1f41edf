import type { BenchReport } from '../bench/result.js';
import { UsageError } from '../io.js';
import { readJsonIfExists } from './read-json.js';

/** The formats the report reads: @1 (before the control rows) and @2. */
const FORMATS = ['linearconv-bench@1', 'linearconv-bench@2'];

/** A bench.json written by `linearconv bench`, or null when the file does not exist. */
export async function readBenchReport(file: string): Promise<BenchReport | null> {
  const report = (await readJsonIfExists(file)) as BenchReport | null;
  if (report === null) return null;
  if (!FORMATS.includes(report?.format)) {
    throw new UsageError(`${file}: format: must be ${FORMATS.map((f) => `"${f}"`).join(' or ')} (a bench.json from linearconv bench), got ${JSON.stringify(report?.format)}`);
  }
  for (const key of ['layers', 'results', 'omitted', 'unavailable'] as const) {
    if (!Array.isArray(report[key])) throw new UsageError(`${file}: ${key}: must be a list`);
  }
  return report;
}
