// The result shapes the renderer reads: the harness's (a `linearconv bench --json` report, with
// its device) and the conformance runner's (`linearconv conformance --json`).
export type { CheckResult, ConformanceReport } from '@linearconv/conformance';
export type { BenchReport, BenchResult, DeviceInfo } from '@linearconv/conformance/bench';
