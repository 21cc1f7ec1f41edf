export { knownBackends } from './backends.js';
export type { ConformanceReport } from './commands/conformance.js';
export type { Io } from './io.js';
export { main } from './main.js';
