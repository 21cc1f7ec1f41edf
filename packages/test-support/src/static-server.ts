import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** A fixed answer: its body, and a content type when the path's extension does not give the right one. */
export type Route = string | Uint8Array | { readonly body: string | Uint8Array; readonly type?: string };

export interface StaticServerOptions {
  /** URL prefixes (`/ort/`) served from folders: files inside the folder only, never a path that climbs out. */
  readonly roots?: Readonly<Record<string, string>>;
  /** Exact paths (`/`, `/models/compact.onnx`) with fixed content; they win over `roots`. */
  readonly routes?: Readonly<Record<string, Route>>;
  /** Added to every response (for example COOP/COEP, which SharedArrayBuffer needs). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>`, an ephemeral port on the loopback address only. */
  readonly origin: string;
  /** Every path requested, in order. */
  readonly requested: readonly string[];
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Content type by file extension; the page `/` is HTML. */
export function contentType(path: string): string {
  return path.endsWith('/') ? TYPES['.html'] : (TYPES[extname(path)] ?? 'application/octet-stream');
}

/** Serves `routes` and `roots` on 127.0.0.1; anything else is 404 (a favicon request, 204). */
export async function serveStatic(options: StaticServerOptions): Promise<StaticServer> {
  const roots = Object.entries(options.roots ?? {}).map(([prefix, folder]) => {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`root prefix "${prefix}" must start and end with /`);
    return [prefix, resolve(folder)] as const;
  });
  // The longest prefix wins, so /a/b/ can be served from another folder than /a/.
  roots.sort(([a], [b]) => b.length - a.length);
  const routes = options.routes ?? {};
  const requested: string[] = [];

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    requested.push(path);
    const send = (status: number, body: string | Uint8Array, type: string) => {
      response.writeHead(status, { ...options.headers, 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route !== undefined) {
      if (typeof route === 'string' || route instanceof Uint8Array) return send(200, route, contentType(path));
      return send(200, route.body, route.type ?? contentType(path));
    }
    const file = fileFor(roots, path);
    if (file) return send(200, readFileSync(file), contentType(file));
    if (path === '/favicon.ico') return send(204, '', 'text/plain');
    return send(404, 'not found', 'text/plain');
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requested,
    close: () =>
      new Promise<void>((done) => {
        // The browser may keep connections alive; they would hold close() open.
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function fileFor(roots: ReadonlyArray<readonly [string, string]>, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  for (const [prefix, folder] of roots) {
    if (!decoded.startsWith(prefix)) continue;
    const file = resolve(folder, `.${decoded.slice(prefix.length - 1)}`);
    const inside = relative(folder, file);
    if (inside === '' || inside.split(sep)[0] === '..' || isAbsolute(inside)) return undefined;
    try {
      return statSync(file).isFile() ? file : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
