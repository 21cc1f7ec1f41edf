import type { LabBackend, LabResult } from './result.js';

export interface LabRunOptions {
  /** The quick speed suite (4 layers at batch 1, short budgets) rather than every layer at batch 1 and 32. Default true. */
  readonly quick?: boolean;
  /** Names of the page's backends to run; every one by default. */
  readonly backends?: readonly string[];
  /** Names of committed conformance cases to run (a shorter check); every one by default. */
  readonly cases?: readonly string[];
  /** Names of benchmark layers (`resnet18/layer4.0.conv1`) to time; the preset's by default. */
  readonly layers?: readonly string[];
}

export type LabStage = 'probe' | 'conformance' | 'bench';

/** Where a run is: the stage, how many of its steps are done, and which starts. */
export interface LabProgress {
  readonly stage: LabStage;
  readonly done: number;
  readonly total: number;
  readonly what: string;
}

/** What the page offers scripts as `window.linearconvLab` (`linearconv lab --headless` drives it). */
export interface LabHook {
  /** Resolves once every backend has been tried: what this browser offers. */
  readonly probed: Promise<readonly LabBackend[]>;
  /** Runs the conformance cases and the speed suite, as the Run button does, and returns the result. */
  run(options?: LabRunOptions): Promise<LabResult>;
  /** Adds a result file (its JSON text) to compare, as the file picker does; throws LinearConvError for a malformed one. */
  compare(label: string, text: string): void;
  /** The last run's result, or null. */
  readonly result: LabResult | null;
}
