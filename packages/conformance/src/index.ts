export * from './backend.js';
export * from './case.js';
export * from './cases.js';
export * from './compare.js';
export * from './reference-backend.js';
export * from './registry.js';
export * from './run.js';
