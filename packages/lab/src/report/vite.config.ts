import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

const root = fileURLToPath(new URL('../..', import.meta.url));

// report.html on its own, as one file with its script and styles inlined: `linearconv report`
// writes it with the results embedded, and it must open from file://, where Chromium blocks
// module scripts loaded from files. Built after the site (the multi-page build shares chunks
// between pages, which a single file cannot), into the same folder.
export default defineConfig({
  root,
  base: './',
  plugins: [viteSingleFile()],
  build: {
    outDir: 'dist/site',
    emptyOutDir: false,
    target: 'es2022',
    rollupOptions: { input: { report: `${root}/report.html` } },
  },
});
