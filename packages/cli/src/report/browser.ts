import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { adapter } from '../backends.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The page and every URL it requested (the report must request nothing beyond itself). */
export interface OpenedPage {
  readonly page: Page;
  readonly url: string;
  readonly requests: readonly string[];
}

/**
 * Serves `html` at the root of a server on 127.0.0.1 (an ephemeral port, no other address), opens
 * it in headless Chromium with a fresh profile and no network services, and runs `fn` on the page;
 * everything is closed afterwards. Needs playwright-core (an optional peer) and a Chromium.
 */
export async function withPage<T>(html: string, fn: (opened: OpenedPage) => Promise<T>, chromium: string = DEFAULT_CHROMIUM): Promise<T> {
  if (!existsSync(chromium)) throw new Error(`${chromium} does not exist (Debian: apt-get install chromium)`);
  const { chromium: launcher } = await adapter('playwright-core', () => import('playwright-core'));
  const server = createServer((request, response) => {
    if (new URL(request.url ?? '/', 'http://127.0.0.1').pathname === '/') {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(html);
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(join(tmpdir(), 'linearconv-report-'));
  try {
    // launchPersistentContext passes the profile as --user-data-dir.
    const context = await launcher.launchPersistentContext(profile, {
      executablePath: chromium,
      headless: true,
      viewport: { width: 1700, height: 900 },
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await page.goto(url, { waitUntil: 'load' });
      return await fn({ page, url, requests });
    } finally {
      await context.close();
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    rmSync(profile, { recursive: true, force: true });
  }
}
