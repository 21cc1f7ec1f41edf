// `@linearconv/lab`: what the lab's results are and what it recommends from them, for scripts
// that read a lab result (linearconv lab --headless --json, the page's download). Browser-safe.
export { FRAMEWORKS, type Framework, type Recommendation, type RecommendInput, recommend } from './lab/recommend.js';
export { LAB_FORMAT, type LabBackend, type LabResult } from './lab/result.js';
export type { LabHook, LabProgress, LabRunOptions, LabStage } from './lab/hook.js';
