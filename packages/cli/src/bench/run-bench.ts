// The harness lives in @linearconv/conformance/bench; this path stays for the report's imports.
export { type BenchOptions, runBench } from '@linearconv/conformance/bench';
