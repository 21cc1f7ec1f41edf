export { knownBackends } from './backends.js';
export type { ConformanceReport } from './commands/conformance.js';
export type { Io } from './io.js';
export { main } from './main.js';
export { type BenchLayer, standardLayers } from './bench/layers.js';
export type { BenchOmission, BenchReport, BenchResult, BenchUnavailable } from './bench/result.js';
export { type BenchOptions, runBench } from './bench/run-bench.js';
