import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { BackendSummary } from '@linearconv/conformance/bench';
import { summariseBackends } from '@linearconv/conformance/bench';
import { LinearConvError } from '@linearconv/core';
import type { LabResult, Recommendation } from '@linearconv/lab';
import { adapter } from '../backends.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { formatTable } from '../table.js';
import { verdict } from './conformance.js';

export const labUsage = `linearconv lab [--port N] [--open] [--headless [--json] [--quick] [--case NAME ...] [--layer NAME ...] [--screenshot PNG] [--chromium PATH]]

Serves the browser lab on http://127.0.0.1 (an ephemeral port, or N) and prints its URL; open it
in a browser to list the backends that browser offers (with its WebGPU adapter and WebGL
renderer), run the committed conformance cases and the speed suite on each, read a recommendation
per framework, download the results and compare result files. --open opens it with xdg-open.
Ctrl-C stops the server.
--headless runs the page in headless Chromium (/usr/bin/chromium, or --chromium PATH; needs
playwright-core) and prints the result: one JSON object { device, backends, conformance, bench }
with --json, a table otherwise; --quick runs the quick speed suite (4 layers at batch 1) rather
than every layer at batch 1 and 32; --case and --layer run only those committed cases and
benchmark layers (a shorter check); --screenshot writes a PNG of the page after the run. Progress
on stderr. Exit status (--headless): 0 every check that ran passed; 1 a check failed, none ran,
or a speed case failed; 2 bad arguments or a missing Chromium or playwright-core.`;

export interface LabCommandOptions {
  /** Serving stops when this settles; by default on SIGINT or SIGTERM. */
  readonly until?: Promise<unknown>;
}

// The lab (its built site is ~64 MB, mostly onnxruntime-web's wasm) is an optional peer: only this command needs it.
const labPage = () => adapter('@linearconv/lab', () => import('@linearconv/lab'), 'linearconv lab');
export const labNode = (feature = 'linearconv lab') => adapter('@linearconv/lab', () => import('@linearconv/lab/node'), feature);

export async function labCommand(argv: string[], io: Io, options: LabCommandOptions = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      open: { type: 'boolean', default: false },
      headless: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      case: { type: 'string', multiple: true },
      layer: { type: 'string', multiple: true },
      screenshot: { type: 'string' },
      chromium: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.headless) {
    for (const flag of ['json', 'quick', 'case', 'layer', 'screenshot', 'chromium'] as const) {
      if (values[flag] !== undefined && values[flag] !== false) throw new UsageError(`--${flag} needs --headless (without it, the page's own controls choose)`);
    }
    return serve(parsePort(values.port), values.open, io, options.until ?? stopSignal());
  }
  if (values.port !== undefined || values.open) throw new UsageError('--headless serves the page on an ephemeral port itself: drop --port and --open');
  const { runLabHeadless } = await labNode();
  let result: LabResult;
  try {
    result = await runLabHeadless({
      quick: values.quick,
      ...(values.case !== undefined && { cases: values.case }),
      ...(values.layer !== undefined && { layers: values.layer }),
      ...(values.screenshot !== undefined && { screenshot: values.screenshot }),
      ...(values.chromium !== undefined && { executablePath: values.chromium }),
      onProgress: (line) => io.err(`linearconv lab: ${line}`),
    });
  } catch (e) {
    // The page's own check of the names, in the CLI's words.
    if (e instanceof LinearConvError && ['cases', 'layer', 'layers'].includes(e.field)) throw new UsageError(`--${e.field === 'cases' ? 'case' : 'layer'}: ${e.rule}`);
    if (e instanceof LinearConvError && e.field === 'executablePath') throw new UsageError(`--chromium: ${e.rule}`);
    throw e;
  }
  io.out(values.json ? JSON.stringify(result) : labText(result, (await labPage()).recommend(result)));
  if (values.screenshot !== undefined) io.err(`wrote ${values.screenshot}`);
  const { status, note } = verdict(result.conformance);
  if (note) io.err(`linearconv lab: ${note}`);
  const failedCases = result.bench.omitted.filter((o) => o.reason.startsWith('failed'));
  if (failedCases.length) io.err(`linearconv lab: ${failedCases.length} speed case${failedCases.length === 1 ? '' : 's'} failed: ${failedCases.map((o) => `${o.backend} ${o.layer}: ${o.reason}`).join('; ')}`);
  return failedCases.length ? EXIT.failed : status;
}

async function serve(port: number, open: boolean, io: Io, until: Promise<unknown>): Promise<number> {
  const { serveSite } = await labNode();
  let server: Awaited<ReturnType<typeof serveSite>>;
  try {
    server = await serveSite({ port });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' || (e as NodeJS.ErrnoException).code === 'EACCES') {
      throw new UsageError(`--port ${port}: ${(e as Error).message}`);
    }
    throw e;
  }
  io.out(`linearconv lab: ${server.url} (Ctrl-C stops it)`);
  if (open) openBrowser(server.url, io);
  try {
    await until;
  } finally {
    await server.close();
  }
  return EXIT.ok;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${text}"`);
  return port;
}

/** The platform's opener; where there is none, one line saying so (the server keeps running). */
function openBrowser(url: string, io: Io): void {
  const [command, ...args] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', (e) => io.err(`linearconv lab: --open: cannot run ${command} (${(e as NodeJS.ErrnoException).code ?? e.message}): open ${url} in a browser yourself`));
  child.unref();
}

function stopSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** One row per backend: whether it started, its checks, LinearConv ÷ conv and the conv's GFLOP/s; then the recommendations. */
export function labText(result: LabResult, recommendations: readonly Recommendation[]): string {
  const summaries = new Map<string, BackendSummary>(summariseBackends(result.bench).map((s) => [s.backend, s]));
  const count = (backend: string, status: string) => result.conformance.results.filter((r) => r.backend === backend && r.status === status).length;
  const table = formatTable(
    ['backend', 'here', 'passed', 'failed', 'skipped', 'LinearConv ÷ conv', 'conv GFLOP/s', 'runs on, or why not'],
    result.backends.map((b) => {
      const s = summaries.get(b.name);
      return [
        b.name,
        b.available ? 'yes' : 'no',
        count(b.name, 'pass'),
        count(b.name, 'fail'),
        count(b.name, 'skip'),
        s?.ratioGeomean == null ? '–' : `×${s.ratioGeomean.toFixed(2)}`,
        s?.convGflopsMedian == null ? '–' : s.convGflopsMedian.toFixed(2),
        (b.available ? b.adapter : b.reason) ?? '',
      ];
    }),
  );
  const { passed, failed, skipped } = result.conformance;
  return [
    `${result.device.runtime}`,
    '',
    table,
    '',
    ...recommendations.map((r) => r.text),
    '',
    `${passed} passed, ${failed} failed, ${skipped} skipped; ${result.bench.results.length / 3} speed cases measured${result.bench.settings.quick ? ' (quick: a check that every backend runs, not a speed measurement)' : ''}`,
  ].join('\n');
}
