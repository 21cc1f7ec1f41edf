import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the main entry bundles for the browser', () => {
  it('with esbuild: no Node built-in resolved, nothing left to import, no Dawn', async () => {
    // platform 'browser' makes esbuild fail the build on any Node built-in in the import graph.
    const result = await build({
      entryPoints: [join(root, 'src', 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(Object.values(result.metafile.outputs).flatMap((o) => o.imports)).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((file) => /conv-forward-naive|\.test\./.test(file))).toEqual([]);
    // Dawn is for Node only: only the Node build (the `node` export condition) imports it.
    expect(inputs.filter((file) => /dawn/.test(file))).toEqual([]);
    expect(result.outputFiles[0].text).not.toMatch(/["']webgpu["']/);
  });

  it("the Node build imports Dawn with a static specifier a bundler can see", async () => {
    const result = await build({ entryPoints: [join(root, 'src', 'node.ts')], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent', external: ['webgpu'] });
    expect(Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path))).toContain('webgpu');
  });
});
