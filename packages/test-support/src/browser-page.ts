import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type StaticServer, type StaticServerOptions, serveStatic } from './static-server.js';

/** Debian's chromium: the only browser on these machines (Playwright's own builds download from outside). */
export const CHROMIUM = '/usr/bin/chromium';

/** WebGPU on a page from 127.0.0.1, and nothing that reaches out to the network or keeps state. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Tried in order until the page gets a WebGPU adapter: the default, then software Vulkan (SwiftShader), then ANGLE on SwiftShader. */
export const ADAPTER_FALLBACKS: readonly (readonly string[])[] = [
  [],
  ['--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'],
  ['--use-angle=swiftshader'],
];

export interface AdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
}

export interface BrowserPageOptions extends StaticServerOptions {
  /** The page to open; `/` by default. */
  readonly path?: string;
  /** Try ADAPTER_FALLBACKS until the page gets a WebGPU adapter; the last launch is kept if none does. */
  readonly webgpu?: boolean;
  /** Flags added after CHROMIUM_FLAGS (and the fallback's). */
  readonly args?: readonly string[];
  readonly viewport?: { readonly width: number; readonly height: number };
  readonly executablePath?: string;
}

/** One headless Chromium with a fresh profile, on one page served from 127.0.0.1. */
export interface BrowserPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly origin: string;
  /** Every path the server was asked for, in order. */
  readonly requested: readonly string[];
  /** The page's console output since the last `clearConsole()`. */
  readonly console: readonly string[];
  /** Uncaught errors on the page. */
  readonly errors: readonly string[];
  /** The page's WebGPU adapter, when `webgpu` was asked for and one was found. */
  readonly adapter: AdapterInfo | null;
  /** What each launch gave, for skip messages: `<flags>: <adapter or why none>`. */
  readonly attempts: readonly string[];
  clearConsole(): void;
  /** Closes the browser, the server and deletes the profile. */
  close(): Promise<void>;
}

/**
 * Serves `roots`/`routes` on 127.0.0.1 (an ephemeral port), launches headless Chromium with a
 * fresh temporary profile (launchPersistentContext: Playwright refuses --user-data-dir as a flag)
 * and opens `path`, capturing the console and page errors.
 */
export async function openBrowserPage(options: BrowserPageOptions): Promise<BrowserPage> {
  const executablePath = options.executablePath ?? CHROMIUM;
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: bash scripts/setup.sh installs Debian's chromium`);
  const server = await serveStatic(options);
  const url = new URL(options.path ?? '/', server.origin).href;
  const attempts: string[] = [];
  const fallbacks = options.webgpu ? ADAPTER_FALLBACKS : [[]];
  try {
    for (const [i, extra] of fallbacks.entries()) {
      const opened = await launch(executablePath, [...CHROMIUM_FLAGS, ...extra, ...(options.args ?? [])], options.viewport, url);
      if (!options.webgpu) return browserPage(opened, server, null, attempts);
      let found: AdapterInfo | string;
      try {
        found = await probeAdapter(opened.page);
      } catch (e) {
        await opened.close();
        throw e;
      }
      attempts.push(`${extra.join(' ') || 'default flags'}: ${typeof found === 'string' ? found : `${found.vendor} ${found.architecture} ${found.description}`}`);
      if (typeof found !== 'string' || i === fallbacks.length - 1) return browserPage(opened, server, typeof found === 'string' ? null : found, attempts);
      await opened.close();
    }
    throw new Error('unreachable: the last fallback always returns');
  } catch (e) {
    await server.close();
    throw e;
  }
}

interface Launched {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly console: string[];
  readonly errors: string[];
  close(): Promise<void>;
}

async function launch(executablePath: string, args: string[], viewport: BrowserPageOptions['viewport'], url: string): Promise<Launched> {
  const profile = mkdtempSync(join(tmpdir(), 'linearconv-chromium-'));
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, args, ...(viewport && { viewport }) });
    const page = context.pages()[0] ?? (await context.newPage());
    const console: string[] = [];
    const errors: string[] = [];
    page.on('console', (message) => console.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    return { context, page, console, errors, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The adapter's info, or why there is none. */
function probeAdapter(page: Page): Promise<AdapterInfo | string> {
  return page.evaluate(async () => {
    type Adapter = { info?: { vendor: string; architecture: string; description: string } };
    const gpu = (globalThis as unknown as { navigator: { gpu?: { requestAdapter(): Promise<Adapter | null> } } }).navigator.gpu;
    if (!gpu) return 'navigator.gpu is missing';
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'navigator.gpu.requestAdapter() returned null';
    const { vendor = '', architecture = '', description = '' } = adapter.info ?? {};
    return { vendor, architecture, description };
  });
}

function browserPage(opened: Launched, server: StaticServer, adapter: AdapterInfo | null, attempts: readonly string[]): BrowserPage {
  return {
    page: opened.page,
    context: opened.context,
    origin: server.origin,
    requested: server.requested,
    console: opened.console,
    errors: opened.errors,
    adapter,
    attempts,
    clearConsole: () => {
      opened.console.length = 0;
    },
    close: async () => {
      try {
        await opened.close();
      } finally {
        await server.close();
      }
    },
  };
}
