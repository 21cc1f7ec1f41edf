import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** onnxruntime-web's dist folder: ort.webgpu.min.js and the .mjs/.wasm files it loads. */
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const contentTypes: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/**
 * A page on 127.0.0.1 (an ephemeral port, nothing else) that loads onnxruntime-web, with the
 * models given served under /models/<name>.onnx, in headless Chromium with a fresh profile.
 */
export interface OrtPage {
  readonly page: Page;
  /** Every path the page asked the server for, in order. */
  readonly requested: string[];
  /** The page's console output since the last `clearConsole()`. */
  readonly console: string[];
  clearConsole(): void;
  close(): Promise<void>;
}

export async function openOrtPage(models: Readonly<Record<string, Uint8Array>>): Promise<OrtPage> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: bash scripts/setup.sh installs Debian's chromium`);
  const files = new Set(readdirSync(ortDist));
  const requested: string[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    requested.push(path);
    const ort = /^\/ort\/([\w.-]+)$/.exec(path);
    const model = /^\/models\/(\w+)\.onnx$/.exec(path);
    if (path === '/') {
      response.setHeader('content-type', 'text/html');
      response.end('<!doctype html><html><head><script src="/ort/ort.webgpu.min.js"></script></head><body></body></html>');
    } else if (ort && files.has(ort[1])) {
      response.setHeader('content-type', contentTypes[ort[1].slice(ort[1].lastIndexOf('.'))] ?? 'application/octet-stream');
      response.end(readFileSync(join(ortDist, ort[1])));
    } else if (model && models[model[1]]) {
      response.setHeader('content-type', 'application/octet-stream');
      response.end(models[model[1]]);
    } else {
      response.statusCode = path === '/favicon.ico' ? 204 : 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(join(tmpdir(), 'linearconv-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (message) => console.push(message.text()));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const opened = context;
    return {
      page,
      requested,
      console,
      clearConsole: () => {
        console.length = 0;
      },
      close: () => closeAll(opened, server, profile),
    };
  } catch (e) {
    await closeAll(context, server, profile);
    throw e;
  }
}

async function closeAll(context: BrowserContext | undefined, server: Server, profile: string): Promise<void> {
  await context?.close();
  await new Promise((resolve) => server.close(resolve));
  rmSync(profile, { recursive: true, force: true });
}
