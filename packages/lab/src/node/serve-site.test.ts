import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SiteServer, serveSite } from './serve-site.js';

const root = mkdtempSync(join(tmpdir(), 'lab-site-'));
const outside = mkdtempSync(join(tmpdir(), 'lab-outside-'));
let server: SiteServer;

beforeAll(async () => {
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>lab</title>');
  writeFileSync(join(root, 'a.wasm'), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(outside, 'secret.txt'), 'not served');
  server = await serveSite({ root });
});
afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** A raw GET (fetch would normalise `..` away before it is sent). */
function get(path: string): Promise<{ status: number; type: string | undefined; body: string; headers: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, type: res.headers['content-type'], body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('serveSite', () => {
  it('serves the folder on 127.0.0.1, the page at /, wasm as application/wasm', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(await get('/')).toMatchObject({ status: 200, body: '<!doctype html><title>lab</title>' });
    expect((await get('/')).type).toMatch(/^text\/html/);
    expect(await get('/a.wasm')).toMatchObject({ status: 200, type: 'application/wasm' });
  });

  it('makes every response cross-origin isolated (COOP same-origin, COEP require-corp), 404s included', async () => {
    for (const path of ['/', '/a.wasm', '/missing.js']) {
      const { headers } = await get(path);
      expect(headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(headers['cross-origin-embedder-policy'], path).toBe('require-corp');
    }
  });

  it('answers 404 for a missing file and for a path that climbs out of the folder', async () => {
    expect((await get('/missing.js')).status).toBe(404);
    const climb = await get(`/../${outside.split('/').pop()}/secret.txt`);
    expect(climb.body).not.toContain('not served');
    expect(climb.status).toBe(404);
  });

  it('refuses to serve a folder without index.html (a site that was not built)', async () => {
    await expect(serveSite({ root: outside })).rejects.toThrow(/index\.html is missing \(pnpm --filter @linearconv\/lab build\)/);
  });
});
