import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { machine } from '../bench/machine.js';
import { DEFAULT_PATHS } from '../bench/paths.js';
import { EXIT, type Io } from '../io.js';
import { DEFAULT_CHROMIUM, withPage } from '../report/browser.js';
import { reportPage } from '../report/page.js';
import { readBenchReport } from '../report/read-bench.js';
import { readReproduce } from '../report/reproduce.js';

export const reportUsage = `linearconv report [--bench FILE] [--reproduce FILE] [--out FILE] [--screenshot FILE.png [--chromium PATH]]

Writes one self-contained HTML page (no scripts, nothing fetched) from linearconv bench's JSON
(default ./${DEFAULT_PATHS.benchFile}, where linearconv bench writes it) and, with --reproduce,
the training results of the linearconv repository's \`pnpm reproduce\` (its results.json, with the
heatmap SVGs beside it; a smoke run is shown as one, not as paper parity): tables, the latency
chart, the control's verdict, the heatmaps, the commands that produced them, dates and machines.
A missing file becomes a note saying which command produces it. --out default
./${DEFAULT_PATHS.reportFile}. Paths are relative to the current directory. --screenshot also
saves a full-page PNG from headless Chromium (needs playwright-core; --chromium default
${DEFAULT_CHROMIUM}).`;

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      bench: { type: 'string' },
      reproduce: { type: 'string' },
      out: { type: 'string' },
      screenshot: { type: 'string' },
      chromium: { type: 'string', default: DEFAULT_CHROMIUM },
    },
    strict: true,
    allowPositionals: false,
  });
  const benchFile = values.bench ?? DEFAULT_PATHS.benchFile;
  const reproduceFile = values.reproduce;
  const out = values.out ?? DEFAULT_PATHS.reportFile;
  const html = reportPage({
    command: ['linearconv', 'report', ...argv].join(' '),
    date: new Date().toISOString(),
    machine: machine(loadavg()[0]),
    bench: { file: benchFile, report: await readBenchReport(benchFile) },
    reproduce: reproduceFile === undefined ? null : { file: reproduceFile, found: await readReproduce(reproduceFile) },
  });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, html);
  io.out(`wrote ${out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)`);
  if (values.screenshot) {
    const png = values.screenshot;
    await withPage(html, ({ page }) => page.screenshot({ path: png, fullPage: true }), values.chromium);
    io.out(`wrote ${png}`);
  }
  return EXIT.ok;
}
