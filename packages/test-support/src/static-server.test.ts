import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, serveStatic } from './static-server.js';

describe('serveStatic', () => {
  let dir: string;
  let server: StaticServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'static-server-'));
    mkdirSync(join(dir, 'public'));
    writeFileSync(join(dir, 'public', 'a.js'), 'export const a = 1;');
    writeFileSync(join(dir, 'secret.txt'), 'not served');
    server = await serveStatic({ roots: { '/files/': join(dir, 'public') }, routes: { '/': '<p>page</p>', '/x.bin': { body: new Uint8Array([1, 2]), type: 'application/x-test' } } });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = async (path: string) => {
    const response = await fetch(server.origin + path);
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  };

  it('listens on 127.0.0.1 only, and answers routes and files under a root with their types', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await get('/')).toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<p>page</p>' });
    expect(await get('/files/a.js')).toEqual({ status: 200, type: 'text/javascript', body: 'export const a = 1;' });
    expect((await get('/x.bin')).type).toBe('application/x-test');
  });

  it('never serves a path that climbs out of its root, a folder or a missing file', async () => {
    for (const path of ['/files/../secret.txt', '/files/%2e%2e/secret.txt', '/files/..%2fsecret.txt', '/files/', '/files/missing.js', '/secret.txt']) {
      expect((await get(path)).status, path).toBe(404);
    }
    expect(server.requested).toContain('/files/a.js');
  });
});
