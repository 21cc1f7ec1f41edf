import type { ConformanceReport } from '@linearconv/conformance';
import type { BenchReport, DeviceInfo } from '@linearconv/conformance/bench';

/** The format of what the lab downloads and `linearconv lab --headless --json` prints. */
export const LAB_FORMAT = 'linearconv-lab@1';

/** One backend as this browser offers it: started, or why not, and what it runs on. */
export interface LabBackend {
  readonly name: string;
  readonly available: boolean;
  /** Why it could not start (its factory's error). */
  readonly reason?: string;
  /** What it runs on (the Backend's `adapter`), when it started and said. */
  readonly adapter?: string;
}

/** One run of the lab on one device. */
export interface LabResult {
  readonly format: typeof LAB_FORMAT;
  /** ISO 8601, when the run started. */
  readonly date: string;
  readonly device: DeviceInfo;
  readonly backends: readonly LabBackend[];
  /** Exactly what `linearconv conformance --json` prints, for the committed cases. */
  readonly conformance: ConformanceReport;
  /** Exactly what `linearconv bench --json` prints (format linearconv-bench@3). */
  readonly bench: BenchReport;
}
