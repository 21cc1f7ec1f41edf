import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sirv from 'sirv';
import { siteDir } from './site-dir.js';

export interface SiteServerOptions {
  /** 0 (the default) for an ephemeral port. */
  readonly port?: number;
  /** The folder to serve; the built lab site by default. */
  readonly root?: string;
}

export interface SiteServer {
  /** `http://127.0.0.1:<port>/`: loopback only. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The headers that make a page cross-origin isolated (`crossOriginIsolated`), sent with every response. */
const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/** Serves the lab site (static files, sirv) on 127.0.0.1, cross-origin isolated. */
export async function serveSite(options: SiteServerOptions = {}): Promise<SiteServer> {
  const root = options.root ?? siteDir;
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`the lab site is not built: ${join(root, 'index.html')} is missing (pnpm --filter @linearconv/lab build)`);
  }
  const files = sirv(root, { etag: true });
  const server = createServer((request, response) => {
    // Cross-origin isolated (SharedArrayBuffer): the wasm backends of tfjs and onnxruntime-web run threads.
    // Every file of the site is same-origin, so require-corp blocks nothing it loads.
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
    files(request, response, () => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((done) => {
        // A browser keeps connections alive; they would hold close() open.
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
