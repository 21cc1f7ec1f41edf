import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinearConvError, MissingDependencyError } from '@linearconv/core';
import type { BrowserContext, Page } from 'playwright-core';

/** Debian's chromium (apt-get install chromium): Playwright's own browser builds download from outside. */
export const CHROMIUM = '/usr/bin/chromium';

/** WebGPU on a page from 127.0.0.1, and nothing that reaches out to the network or keeps state. */
export const CHROMIUM_FLAGS: readonly string[] = Object.freeze([
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]);

/** Tried in order until the page gets a WebGPU adapter: the default, then software Vulkan (SwiftShader), then ANGLE on SwiftShader. */
export const ADAPTER_FALLBACKS: readonly (readonly string[])[] = Object.freeze([
  [],
  ['--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'],
  ['--use-angle=swiftshader'],
]);

export interface ChromiumOptions {
  /** Default CHROMIUM. */
  readonly executablePath?: string;
  /** Try ADAPTER_FALLBACKS until the page gets a WebGPU adapter; the last launch is kept if none does. */
  readonly webgpu?: boolean;
  /** Flags after CHROMIUM_FLAGS (and the fallback's). */
  readonly args?: readonly string[];
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Before the page opens `url`: e.g. `context.exposeFunction`. */
  readonly beforeOpen?: (context: BrowserContext) => Promise<void>;
}

/** Headless Chromium with a fresh profile, on one page. */
export interface ChromiumPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** The page's WebGPU adapter (GPUAdapterInfo), when `webgpu` was asked for and one was found. */
  readonly adapter: { readonly vendor: string; readonly architecture: string; readonly description: string } | null;
  /** What each launch gave: `<flags>: <adapter or why none>`. */
  readonly attempts: readonly string[];
  /** Uncaught errors on the page. */
  readonly errors: readonly string[];
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/**
 * Launches headless Chromium (launchPersistentContext with a temporary profile: Playwright
 * refuses --user-data-dir as a flag) and opens `url`; with `webgpu`, relaunches with the next
 * fallback's flags while the page gets no WebGPU adapter.
 */
export async function openChromiumPage(url: string, options: ChromiumOptions = {}): Promise<ChromiumPage> {
  const executablePath = options.executablePath ?? CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new LinearConvError('executablePath', `${executablePath} is missing: install Chromium (on Debian: apt-get install chromium) or name another Chromium`);
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw new MissingDependencyError('running the lab in headless Chromium', 'playwright-core', e);
  }
  const attempts: string[] = [];
  const fallbacks = options.webgpu ? ADAPTER_FALLBACKS : [[]];
  for (const [i, extra] of fallbacks.entries()) {
    const profile = mkdtempSync(join(tmpdir(), 'linearconv-lab-chromium-'));
    let context: BrowserContext | undefined;
    const close = async () => {
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    };
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath,
        args: [...CHROMIUM_FLAGS, ...extra, ...(options.args ?? [])],
        ...(options.viewport && { viewport: options.viewport }),
      });
      await options.beforeOpen?.(context);
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      const opened = { page, context, attempts, errors, close };
      if (!options.webgpu) return { ...opened, adapter: null };
      const found = await probeAdapter(page);
      attempts.push(`${extra.join(' ') || 'default flags'}: ${typeof found === 'string' ? found : `${found.vendor} ${found.architecture} ${found.description}`.trim()}`);
      if (typeof found !== 'string' || i === fallbacks.length - 1) return { ...opened, adapter: typeof found === 'string' ? null : found };
      await close();
    } catch (e) {
      await close();
      throw e;
    }
  }
  throw new Error('unreachable: the last fallback always returns');
}

/** The adapter's info, or why there is none. */
function probeAdapter(page: Page): Promise<{ vendor: string; architecture: string; description: string } | string> {
  return page.evaluate(async () => {
    type Adapter = { info?: { vendor: string; architecture: string; description: string } };
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<Adapter | null> } }).gpu;
    if (!gpu) return 'navigator.gpu is missing';
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'navigator.gpu.requestAdapter() returned null';
    const { vendor = '', architecture = '', description = '' } = adapter.info ?? {};
    return { vendor, architecture, description };
  });
}
