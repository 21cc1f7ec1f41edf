import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where results go by default. Run from this repository's root (it has benchmarks/results), they
 * land beside the other benchmark results; anywhere else, in the working directory.
 */
export function defaultPaths(cwd: string = process.cwd()): { benchDir: string; reportFile: string; reproduceFile: string } {
  const inRepo = existsSync(join(cwd, 'benchmarks', 'results'));
  return {
    benchDir: inRepo ? join('benchmarks', 'results', 'bench') : 'bench-results',
    reportFile: inRepo ? join('benchmarks', 'results', 'report.html') : 'report.html',
    reproduceFile: join('benchmarks', 'results', 'reproduce', 'results.json'),
  };
}

/** The files `linearconv bench` writes into its --out directory. */
export const BENCH_FILES = { json: 'bench.json', markdown: 'bench.md', chart: 'bench.svg' } as const;
