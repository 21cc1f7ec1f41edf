// Node-only entry (`@linearconv/tfjs/node`): what needs node:* modules stays out of the browser build.
export { fileSystem } from './file-system.js';
export { useWasmThreads } from './wasm-threads.js';
