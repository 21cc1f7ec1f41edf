import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

// The static site that @linearconv/lab ships (dist/site) and `linearconv lab` serves: the lab
// (index.html) and the training view (train.html), every script and .wasm file a local asset, so
// it works offline from its files. report.html is built next, on its own, as one file
// (src/report/vite.config.ts): it must open from file://.
export default defineConfig({
  // Relative URLs: the site works from any folder it is served or copied to (linearconv report copies report.html).
  base: './',
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
