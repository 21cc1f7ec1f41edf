import { BENCH_FORMATS } from '@linearconv/conformance/bench';
import { UsageError } from '../io.js';
import { readJsonIfExists } from './read-json.js';

/** What `linearconv lab --headless --json` prints and the lab downloads. */
const LAB_FORMAT = 'linearconv-lab@1';

/**
 * A results file for the report: a bench.json of `linearconv bench` (any format it wrote) or a
 * lab result; null when the file does not exist. Anything else is a UsageError naming the file.
 */
export async function readResults(file: string): Promise<unknown | null> {
  const value = (await readJsonIfExists(file)) as Record<string, unknown> | null;
  if (value === null) return null;
  const format = value?.format;
  if (format === LAB_FORMAT) {
    if (typeof (value.device as { runtime?: unknown })?.runtime !== 'string') throw new UsageError(`${file}: device: must be an object with a runtime`);
    return value;
  }
  if (typeof format !== 'string' || !BENCH_FORMATS.includes(format)) {
    const expected = [...BENCH_FORMATS, LAB_FORMAT].map((f) => `"${f}"`).join(', ');
    throw new UsageError(`${file}: format: must be one of ${expected} (a bench.json from linearconv bench, or a linearconv lab result), got ${JSON.stringify(format)}`);
  }
  for (const key of ['layers', 'results', 'omitted', 'unavailable'] as const) {
    if (!Array.isArray(value[key])) throw new UsageError(`${file}: ${key}: must be a list`);
  }
  return value;
}
