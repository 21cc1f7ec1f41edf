import { onnxBrowserBackends } from '@linearconv/onnx/conformance';
import { tfjsBrowserBackends } from '@linearconv/tfjs/conformance';
import { errorOf } from '@linearconv/test-support';
import { webgpuBrowserBackends } from '@linearconv/webgpu/conformance';
import { LinearConvError } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { BROWSER_ONLY_BACKENDS, knownBackends } from './backends.js';
import { EXIT } from './io.js';
import { main } from './main.js';

describe('browser-only backends in the Node CLI', () => {
  const browserNames = [...tfjsBrowserBackends(), ...onnxBrowserBackends(), ...webgpuBrowserBackends()].map((f) => f.name);

  it('are the adapters’ browser backends the CLI does not run: every browser name is one or the other', () => {
    const known = knownBackends().names;
    expect(BROWSER_ONLY_BACKENDS.filter((name) => known.includes(name))).toEqual([]);
    expect(browserNames.filter((name) => !known.includes(name))).toEqual([...BROWSER_ONLY_BACKENDS]);
  });

  it.each(BROWSER_ONLY_BACKENDS.map((name) => [name]))('%s is refused by name, pointing at the lab', (name) => {
    const error = errorOf(() => knownBackends().get(name), LinearConvError);
    expect(error.field).toBe('--backend');
    expect(error.rule).toBe(`${name} runs only in a browser: try \`linearconv lab\``);
  });

  it('`linearconv conformance --backend onnx-web-webgpu-compact` is bad input (exit 2), saying where it runs', async () => {
    const io = { out: '', err: '' };
    const status = await main(['conformance', '--backend', 'onnx-web-webgpu-compact'], { out: (t) => (io.out += t), err: (t) => (io.err += t) });
    expect(status).toBe(EXIT.usage);
    expect(io.out).toBe('');
    expect(io.err).toContain('--backend: onnx-web-webgpu-compact runs only in a browser: try `linearconv lab`');
  });

  it('an unknown name is still unknown, listing the known ones', () => {
    expect(errorOf(() => knownBackends().get('tfjs-webgl2'), LinearConvError).rule).toMatch(/^unknown backend "tfjs-webgl2"; known backends: reference, tfjs-cpu/);
  });
});
