import { writeFile } from 'node:fs/promises';
import { LinearConvError } from '@linearconv/core';
import type { LabHook, LabRunOptions } from '../lab/hook.js';
import type { LabResult } from '../lab/result.js';
import { openChromiumPage } from './chromium.js';
import { serveSite } from './serve-site.js';

export interface LabHeadlessOptions extends LabRunOptions {
  /** The Chromium to drive; /usr/bin/chromium by default. */
  readonly executablePath?: string;
  /** The built site to serve; the package's own by default. */
  readonly root?: string;
  /** Writes a PNG of the whole lab page after the run. */
  readonly screenshot?: string;
  /** The page's progress lines ("Conformance 12/378: tfjs-webgl hand-2x2-ones"). */
  readonly onProgress?: (line: string) => void;
}

/** The page's size in the headless runs and the committed screenshot. */
const VIEWPORT = { width: 1280, height: 900 };

/**
 * Serves the lab site on 127.0.0.1, opens it in headless Chromium (with a WebGPU adapter where
 * one of the fallback flag sets gives one), runs it as its Run button does and returns the
 * result: the page's own `window.linearconvLab.run`, so the headless run is the page's run.
 */
export async function runLabHeadless(options: LabHeadlessOptions = {}): Promise<LabResult> {
  const server = await serveSite(options.root === undefined ? {} : { root: options.root });
  try {
    const browser = await openChromiumPage(server.url, {
      webgpu: true,
      viewport: VIEWPORT,
      ...(options.executablePath !== undefined && { executablePath: options.executablePath }),
      beforeOpen: async (context) => {
        await context.exposeFunction('linearconvLabProgress', (line: string) => options.onProgress?.(line));
      },
    });
    try {
      await browser.page.waitForFunction(() => (window as { linearconvLab?: unknown }).linearconvLab !== undefined);
      const run: LabRunOptions = {
        ...(options.quick !== undefined && { quick: options.quick }),
        ...(options.backends && { backends: [...options.backends] }),
        ...(options.cases && { cases: [...options.cases] }),
        ...(options.layers && { layers: [...options.layers] }),
      };
      const outcome = await browser.page
        .evaluate(async (o): Promise<{ result: LabResult } | { error: { name?: string; field?: string; rule?: string; message: string } }> => {
          try {
            return { result: await (window as unknown as { linearconvLab: LabHook }).linearconvLab.run(o) };
          } catch (e) {
            const { name, field, rule, message } = (e ?? {}) as { name?: string; field?: string; rule?: string; message?: string };
            return { error: { name, field, rule, message: message ?? String(e) } };
          }
        }, run)
        .catch((e: Error) => ({ error: { message: e.message.split('\n')[0] } }) as const);
      if ('error' in outcome) {
        const { name, field, rule, message } = outcome.error as { name?: string; field?: string; rule?: string; message: string };
        // Bad options (an unknown case, layer or backend) are the caller's error, as they would be in Node.
        if (name === 'LinearConvError' && field !== undefined && rule !== undefined) throw new LinearConvError(field, rule);
        const errors = browser.errors.length ? ` (page errors: ${browser.errors.join('; ')})` : '';
        throw new Error(`the lab page's run failed: ${message}${errors}`);
      }
      const { result } = outcome;
      if (options.screenshot !== undefined) await writeFile(options.screenshot, await browser.page.screenshot({ fullPage: true }));
      return result;
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}
