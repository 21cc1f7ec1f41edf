import { pathToFileURL } from 'node:url';
import { labNode } from '../commands/lab.js';

/**
 * A full-page PNG of the written report, opened from its file in headless Chromium (as a reader
 * would open it), once its tables and charts are drawn. Needs playwright-core and a Chromium.
 */
export async function screenshotReport(html: string, png: string, executablePath: string): Promise<void> {
  const { openChromiumPage } = await labNode('linearconv report --screenshot');
  const opened = await openChromiumPage(pathToFileURL(html).href, { executablePath, viewport: { width: 1400, height: 900 } });
  try {
    await opened.page.waitForSelector('body[data-rendered="true"]', { timeout: 30_000 });
    if (opened.errors.length) throw new Error(`the report page failed: ${opened.errors.join('; ')}`);
    await opened.page.screenshot({ path: png, fullPage: true });
  } finally {
    await opened.close();
  }
}
