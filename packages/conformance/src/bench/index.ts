// `@linearconv/conformance/bench`: the speed harness. Browser-safe (no node:* anywhere in its
// import graph; browser-bundle.test.ts checks): `linearconv bench` runs it in Node, the lab in a browser.
export * from './device.js';
export * from './format.js';
export * from './layers.js';
export * from './max-error.js';
export * from './presets.js';
export * from './result.js';
export * from './run-bench.js';
export * from './slow-backends.js';
export * from './summary.js';
export * from './timing.js';
