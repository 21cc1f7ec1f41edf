import type { DeviceInfo } from './device.js';
import type { TimingSettings } from './timing.js';

/** The format runBench writes: @2 added the control rows, @3 the device and each result's adapter. */
export const BENCH_FORMAT = 'linearconv-bench@3';

/** Every format a reader of bench results accepts: @1 (no control rows), @2 (no device), @3. */
export const BENCH_FORMATS: readonly string[] = Object.freeze(['linearconv-bench@1', 'linearconv-bench@2', BENCH_FORMAT]);

/** What runBench returns, `linearconv bench` writes to bench.json and prints with --json, and the lab downloads. */
export interface BenchReport {
  /** Files of older formats (BENCH_FORMATS) are read with this type too: @1 lacks control rows, @1 and @2 lack `device`. */
  readonly format: typeof BENCH_FORMAT;
  /** The command line that produced it (the lab: its own name). */
  readonly command: string;
  /** ISO 8601, when the run started. */
  readonly date: string;
  /** Where it ran, as the caller gave it. */
  readonly device: DeviceInfo;
  /** Node runs of the CLI only (as in @1 and @2): the machine with its load at the start and at the end. */
  readonly machine?: Machine;
  readonly settings: BenchSettings;
  readonly layers: readonly BenchLayerInfo[];
  /** One row per measured layer × batch × backend × variant (conv, linearconv, control). */
  readonly results: readonly BenchResult[];
  /** Cases a backend did not run, with why (too slow for it, or it failed). */
  readonly omitted: readonly BenchOmission[];
  /** Backends that could not start (or cannot prepare layers), with why. */
  readonly unavailable: readonly BenchUnavailable[];
  readonly totalSeconds: number;
}

export interface BenchResult {
  readonly layer: string;
  readonly batch: number;
  readonly backend: string;
  /**
   * `conv`: a plain conv holding the composed filters (the same-shape baseline); `linearconv`:
   * the layer; `control`: a second, separately prepared copy of the same plain conv, timed in the
   * same rounds, so its ratio to `conv` is the measurement's own noise.
   */
  readonly variant: BenchVariant;
  /** Median wall-clock ms of one forward pass, input from and output to the CPU. */
  readonly medianMs: number;
  /** 2 · conv MACs · batch / medianMs. */
  readonly gflops: number;
  /** Largest |output − float64 reference| over the batch's first image. */
  readonly maxAbsError: number;
  /** This row's medianMs / conv's on the same backend, layer and batch (linearconv and control rows); null on conv rows. */
  readonly ratioToConv: number | null;
  /** Measured runs behind the median. */
  readonly runs: number;
  /** What the backend runs on (its Backend's `adapter`), when it says. */
  readonly adapter?: string;
}

export type BenchVariant = 'conv' | 'linearconv' | 'control';

export interface BenchOmission {
  readonly layer: string;
  readonly batch: number;
  readonly backend: string;
  readonly reason: string;
}

export interface BenchUnavailable {
  readonly backend: string;
  readonly reason: string;
}

export interface BenchLayerInfo {
  readonly name: string;
  /** e.g. `64→128 3×3 s2 @32×32`. */
  readonly shape: string;
  readonly sameShape: readonly string[];
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly number[];
  readonly strides: readonly number[];
  readonly groups: number;
  readonly inputSize: readonly number[];
  /** Conv MACs for one image. */
  readonly macs: number;
}

export interface BenchSettings extends TimingSettings {
  readonly quick: boolean;
  /** As asked for, in the order they ran. */
  readonly backends: readonly string[];
  readonly batches: readonly number[];
  /** Seeds the weights and inputs (core's createRandom). */
  readonly seed: number;
  /** The largest run, in FLOP, that each slow backend is given. */
  readonly flopCaps: Readonly<Record<string, number>>;
}

/** The machine a Node run took place on, as @1 and @2 recorded it. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average at the start and at the end (the machine may be shared). */
  readonly loadAverage: readonly [number, number];
}
