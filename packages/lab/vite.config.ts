import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** tfjs-backend-wasm's emscripten glue for its threaded SIMD build (a CommonJS/UMD script). */
const THREADED_GLUE = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

/**
 * tfjs-backend-wasm starts each pthread worker from `wasmFactoryThreadedSimd.toString()`: once
 * bundled and minified, that text names helpers of the bundle's scope, which the worker lacks
 * ("e is not defined"). This module replaces the glue by its original text, evaluated as is, so
 * the function (and the text the workers get) is emscripten's own, untouched by the bundler.
 */
function originalThreadedGlue(): Plugin {
  let replaced = false;
  let building = false;
  return {
    name: 'linearconv:tfjs-wasm-threaded-glue',
    enforce: 'pre',
    configResolved(config) {
      building = config.command === 'build';
    },
    load(id) {
      if (!THREADED_GLUE.test(id)) return null;
      replaced = true;
      const source = readFileSync(id, 'utf8');
      // The script declares `var WasmBackendModuleThreadedSimd`; no `module`/`define` in a Function's scope.
      // Its C++ caps the pool at half the logical cores (navigator.hardwareConcurrency, read only
      // on the main thread), assuming two hyper-threads per core: one thread on a 2-core machine.
      // It sees twice the real count, so ?threads=N (setThreadsCount) may use every core, as useWasmThreads in Node.
      const body = JSON.stringify(`${source}\nreturn WasmBackendModuleThreadedSimd;`);
      return `export default new Function('navigator', ${body})({ hardwareConcurrency: 2 * (navigator.hardwareConcurrency || 1) });\n`;
    },
    buildEnd(error) {
      // A tfjs whose layout changed would bundle threads that cannot start: fail the build instead.
      if (building && !error && !replaced) this.error('tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js was never loaded: the threaded-glue plugin needs updating');
    },
  };
}

// The static site that @linearconv/lab ships (dist/site) and `linearconv lab` serves: the lab
// (index.html) and the training view (train.html), every script and .wasm file a local asset, so
// it works offline from its files. report.html is built next, on its own, as one file
// (src/report/vite.config.ts): it must open from file://.
export default defineConfig({
  // Relative URLs: the site works from any folder it is served or copied to (linearconv report copies report.html).
  base: './',
  plugins: [originalThreadedGlue()],
  // As serveSite does: cross-origin isolated, so tfjs-wasm and onnxruntime-web may run threads.
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  preview: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  build: {
    outDir: 'dist/site',
    emptyOutDir: true,
    target: 'es2022',
    // tfjs and onnxruntime-web are large by nature; the pages load them on demand.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: {
        index: page('index.html'),
        train: page('train.html'),
      },
    },
  },
});
