import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { describeDevice } from '@linearconv/conformance/bench';
import { nodeDevice } from '@linearconv/conformance/node';
import { DEFAULT_PATHS } from '../bench/paths.js';
import { EXIT, type Io } from '../io.js';
import { reportData, reportPage, reportTemplate } from '../report/page.js';
import { readResults } from '../report/read-bench.js';
import { readReproduce } from '../report/reproduce.js';
import { screenshotReport } from '../report/screenshot.js';

/** Debian's; `--chromium` names another. */
const CHROMIUM = '/usr/bin/chromium';

export const reportUsage = `linearconv report [--bench FILE ...] [--reproduce FILE] [--out FILE] [--screenshot FILE.png [--chromium PATH]]

Writes one HTML page, the lab's report page with the results embedded (it opens from the file,
nothing fetched): linearconv bench's JSON (default ./${DEFAULT_PATHS.benchFile}, where linearconv
bench writes it); repeat --bench to compare several side by side in the same tables and charts
(bench.json files, or linearconv lab --headless --json results from browsers). With --reproduce,
the training results of the linearconv repository's \`pnpm reproduce\` (its results.json; a smoke
run is shown as one, not as paper parity). Tables, charts (LinearConv ÷ conv with the control's
noise band, GFLOP/s, errors), heatmaps, the commands that produced them, dates and devices. A
missing file becomes a note saying which command produces it. --out default
./${DEFAULT_PATHS.reportFile}. Paths are relative to the current directory. --screenshot also
saves a full-page PNG of it from headless Chromium (needs playwright-core; --chromium default
${CHROMIUM}).`;

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      bench: { type: 'string', multiple: true },
      reproduce: { type: 'string' },
      out: { type: 'string' },
      screenshot: { type: 'string' },
      chromium: { type: 'string', default: CHROMIUM },
    },
    strict: true,
    allowPositionals: false,
  });
  const files = values.bench ?? [DEFAULT_PATHS.benchFile];
  const reproduceFile = values.reproduce;
  const out = values.out ?? DEFAULT_PATHS.reportFile;
  const data = reportData({
    command: ['linearconv', 'report', ...argv].join(' '),
    date: new Date().toISOString(),
    machine: describeDevice(nodeDevice()),
    results: await Promise.all(files.map(async (file) => ({ file, value: await readResults(file) }))),
    reproduce: reproduceFile === undefined ? null : { file: reproduceFile, found: await readReproduce(reproduceFile) },
  });
  const html = reportPage(await reportTemplate(), data);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, html);
  io.out(`wrote ${out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)`);
  if (values.screenshot) {
    await screenshotReport(out, values.screenshot, values.chromium);
    io.out(`wrote ${values.screenshot}`);
  }
  return EXIT.ok;
}
