import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type StaticServer, serveStatic } from '@linearconv/test-support';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHook } from '../lab/hook.js';
import type { LabResult } from '../lab/result.js';
import type { TrainHook } from '../train/main.js';
import { type ChromiumPage, openChromiumPage } from './chromium.js';
import { type SiteServer, serveSite } from './serve-site.js';
import { siteDir } from './site-dir.js';

// tfjs-wasm's threads in the built site (pnpm --filter @linearconv/lab build), in one headless
// Chromium: serveSite's pages are cross-origin isolated and run the threaded build; the same files
// served without COOP/COEP (as test-support's plain server does) run one thread. Either way the
// numbers must be the same.
const CASES = ['hand-2x2-ones', 'groups2-lowrank', 'stride2-dilation2'];
const LAB_RUN = { quick: true, backends: ['tfjs-wasm'], cases: CASES, layers: ['mobilenetv2/layers.1.conv2'] };
const TRAIN_RUN = { steps: 6, backend: 'wasm' } as const;

let site: SiteServer;
let plain: StaticServer;
let browser: ChromiumPage;

beforeAll(async () => {
  if (!existsSync(join(siteDir, 'train.html'))) throw new Error(`${siteDir}train.html is missing: pnpm --filter @linearconv/lab build first`);
  site = await serveSite();
  plain = await serveStatic({ roots: { '/': siteDir } });
  browser = await openChromiumPage('about:blank');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await plain?.close();
});

/** Opens `url` in a new tab of the browser, with its uncaught errors. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

interface LabRun {
  isolated: boolean;
  cores: number;
  wasm: LabResult['backends'][number] | undefined;
  checks: { case: string; check: string; status: string; maxAbsError: number | null }[];
  errors: string[];
}

async function labRun(url: string): Promise<LabRun> {
  const { page, errors } = await open(url);
  const run = await page.evaluate(async (options) => {
    const result = await (window as unknown as { linearconvLab: LabHook }).linearconvLab.run(options);
    return { isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency, result };
  }, LAB_RUN);
  await page.close();
  const checks = run.result.conformance.results.map((r) => ({ case: r.case, check: r.check, status: r.status, maxAbsError: r.maxAbsError }));
  return { isolated: run.isolated, cores: run.cores, wasm: run.result.backends.find((b) => b.name === 'tfjs-wasm'), checks, errors };
}

async function trainRun(url: string) {
  const { page, errors } = await open(url);
  const run = await page.evaluate(async (options) => {
    const hook = (window as unknown as { linearconvTrain: TrainHook }).linearconvTrain;
    await hook.ready;
    const r = await hook.run(options);
    return { isolated: crossOriginIsolated, output: Array.from(r.check.output), conv: r.conv, linearconv: r.linearconv };
  }, TRAIN_RUN);
  await page.close();
  return { ...run, errors };
}

const threadsOf = (adapter: string | undefined) => Number(/(\d+) threads?$/.exec(adapter ?? '')?.[1] ?? Number.NaN);

describe('tfjs-wasm threads in the lab', () => {
  it('runs ?threads=2 threads where serveSite isolates the page, half the cores by default, one without isolation, with the same conformance numbers', async () => {
    const threaded = await labRun(`${site.url}?threads=2`);
    const byDefault = await labRun(site.url);
    const unisolated = await labRun(`${plain.origin}/index.html`);

    expect([threaded.isolated, byDefault.isolated, unisolated.isolated]).toEqual([true, true, false]);
    // Two threads need two cores; Chromium reports the machine's.
    expect(threaded.cores).toBeGreaterThanOrEqual(2);
    expect(threadsOf(threaded.wasm?.adapter), threaded.wasm?.adapter).toBe(2);
    expect(threadsOf(byDefault.wasm?.adapter), byDefault.wasm?.adapter).toBe(Math.max(1, Math.min(Math.floor(threaded.cores / 2), 4)));
    expect(threadsOf(unisolated.wasm?.adapter), unisolated.wasm?.adapter).toBe(1);

    expect(threaded.checks.length).toBeGreaterThanOrEqual(CASES.length);
    for (const c of threaded.checks) expect(c.status, `${c.case} ${c.check}`).toBe('pass');
    // Bit for bit: XNNPACK splits the work, not the sums.
    expect(byDefault.checks).toEqual(threaded.checks);
    expect(unisolated.checks).toEqual(threaded.checks);
    expect([...threaded.errors, ...byDefault.errors, ...unisolated.errors]).toEqual([]);
  }, 150_000);

  it('trains the same seeded models to the same numbers with two threads, with one, and on a page that is not isolated', async () => {
    const threaded = await trainRun(`${site.url}train.html?threads=2`);
    const one = await trainRun(`${site.url}train.html?threads=1`);
    const unisolated = await trainRun(`${plain.origin}/train.html`);

    expect([threaded.isolated, one.isolated, unisolated.isolated]).toEqual([true, true, false]);
    expect(threaded.output.length).toBeGreaterThan(0);
    expect(threaded.output.every(Number.isFinite)).toBe(true);
    for (const other of [one, unisolated]) {
      expect(other.output).toEqual(threaded.output);
      expect(other.conv).toEqual(threaded.conv);
      expect(other.linearconv).toEqual(threaded.linearconv);
    }
    expect([...threaded.errors, ...one.errors, ...unisolated.errors]).toEqual([]);
  }, 150_000);

  it('says why tfjs-wasm cannot start for a thread count out of range', async () => {
    const { page, errors } = await open(`${site.url}?threads=0`);
    const backends = await page.evaluate(() => (window as unknown as { linearconvLab: LabHook }).linearconvLab.probed);
    await page.close();
    const wasm = backends.find((b) => b.name === 'tfjs-wasm');
    expect(wasm?.available).toBe(false);
    expect(wasm?.reason).toMatch(/^threads: must be an integer from 1 to 8 \(the page URL's \?threads=\), got "0"/);
    expect(errors).toEqual([]);
  }, 60_000);
});
