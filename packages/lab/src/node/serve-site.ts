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

/** Serves the lab site (static files, sirv) on 127.0.0.1. */
export async function serveSite(options: SiteServerOptions = {}): Promise<SiteServer> {
  const root = options.root ?? siteDir;
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`the lab site is not built: ${join(root, 'index.html')} is missing (pnpm --filter @linearconv/lab build)`);
  }
  // Not cross-origin isolated (no COOP/COEP) on purpose: tfjs-backend-wasm's threaded build
  // fails in its workers once bundled and minified ("e is not defined"), so wasm runs one thread.
  const files = sirv(root, { etag: true });
  const server = createServer((request, response) =>
    files(request, response, () => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }),
  );
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
