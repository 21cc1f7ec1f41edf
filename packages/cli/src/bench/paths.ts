import { join } from 'node:path';

/**
 * Where `linearconv bench` and `linearconv report` write and read by default: one folder in the
 * working directory, whatever project that is (relative, so messages show it as given).
 */
export const DEFAULT_DIR = 'linearconv-bench';

/** The files `linearconv bench` writes into its --out directory. */
export const BENCH_FILES = { json: 'bench.json', markdown: 'bench.md' } as const;

export const DEFAULT_PATHS = {
  benchDir: DEFAULT_DIR,
  benchFile: join(DEFAULT_DIR, BENCH_FILES.json),
  reportFile: join(DEFAULT_DIR, 'report.html'),
} as const;
