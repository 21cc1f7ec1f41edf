// Browser-safe: nothing here imports node:*. File-system loading is in ./node.
export * from './backend.js';
export * from './case.js';
export * from './committed-cases.js';
export * from './compare.js';
export * from './reference-backend.js';
export * from './registry.js';
export * from './run.js';
export * from './run-conformance.js';
export * from './tolerance.js';
