import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The built CLI (bin → dist) and the built lab site: turbo's test task builds both first.
const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/linearconv.js');
const out = mkdtempSync(join(tmpdir(), 'linearconv-lab-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Every browser backend the lab must run (issue 11's names). */
const AGREED = ['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu', 'onnx-web-wasm-compact', 'onnx-web-wasm-folded', 'onnx-web-webgpu-compact', 'onnx-web-webgpu-folded', 'webgpu'];

function run(args: string[]) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [bin, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

describe('linearconv lab', () => {
  it('refuses headless-only flags without --headless, and a bad port (exit 2, one line)', () => {
    const json = spawnSync(process.execPath, [bin, 'lab', '--json'], { encoding: 'utf8' });
    expect(json.status).toBe(2);
    expect(json.stderr).toBe("linearconv lab: --json needs --headless (without it, the page's own controls choose)\n");
    const port = spawnSync(process.execPath, [bin, 'lab', '--port', '70000'], { encoding: 'utf8' });
    expect(port.status).toBe(2);
    expect(port.stderr).toBe('linearconv lab: --port must be an integer from 0 to 65535, got "70000"\n');
  });

  it('serves the built site on 127.0.0.1, prints the URL, and stops on SIGINT with status 0', async () => {
    const child = spawn(process.execPath, [bin, 'lab']);
    const url = await new Promise<string>((done, fail) => {
      let text = '';
      child.stdout.on('data', (c) => {
        text += c;
        const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
        if (found) done(found[0]);
      });
      child.on('close', () => fail(new Error(`exited before printing a URL: ${text}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>linearconv lab');
    // The page's script is one of the site's files, served from here.
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1];
    expect((await fetch(new URL(script, url))).status).toBe(200);
    expect((await fetch(new URL('train.html', url))).status).toBe(200);
    const status = new Promise((done) => child.on('close', done));
    child.kill('SIGINT');
    expect(await status).toBe(0);
  });

  it('--headless --json runs the page in headless Chromium: every backend, no failure, one JSON object', async () => {
    const screenshot = join(out, 'lab.png');
    // A short check (one committed case with every check, one layer): the whole quick run takes minutes here.
    const { status, stdout, stderr } = await run(['lab', '--headless', '--json', '--quick', '--case', 'hand-2x2-ones', '--layer', 'mobilenetv2/layers.1.conv2', '--screenshot', screenshot]);
    expect(status, stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(stdout);
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['device', 'backends', 'conformance', 'bench']));
    expect(result.device.runtime).toMatch(/Chrome\/\d+/);
    const names = result.backends.map((b: { name: string }) => b.name);
    for (const name of AGREED) expect(names).toContain(name);
    const available = result.backends.filter((b: { available: boolean }) => b.available);
    expect(available.length).toBeGreaterThanOrEqual(9);
    expect(result.conformance.failed).toBe(0);
    for (const { name } of available) {
      expect(result.conformance.results.some((r: { backend: string; status: string }) => r.backend === name && r.status === 'pass'), name).toBe(true);
    }
    expect(result.bench.results.length).toBe(3 * available.length);
    expect(stderr).toMatch(/linearconv lab: Conformance \d+\/\d+: /);
    // A PNG was written.
    expect(existsSync(screenshot)).toBe(true);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
  }, 300_000);

  it('a Chromium that is not there is bad input (exit 2, one line)', async () => {
    const { status, stderr } = await run(['lab', '--headless', '--json', '--case', 'no-such-case', '--chromium', join(out, 'no-chromium')]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^linearconv lab: --chromium: .*no-chromium is missing/);
  });
});
