// The result schema lives in the harness; this path stays for the report's imports.
export type {
  BenchLayerInfo,
  BenchOmission,
  BenchReport,
  BenchResult,
  BenchSettings,
  BenchUnavailable,
  BenchVariant,
  Machine,
} from '@linearconv/conformance/bench';
