/**
 * `pnpm bench:train`: tfjs-wasm (1 and 2 threads), tfjs-cpu and PyTorch CPU (1 and 2 threads)
 * training Base and VGG11, Conv and LinearConv, timed side by side. Prints the markdown table
 * (or, with --json, the JSON) and writes both to --out.
 */
import { fileURLToPath } from 'node:url';
import { flagsOrExit } from '../command-line.js';
import { parseFlags, usage } from './flags.js';
import { markdownReport, SMOKE_NOTE, writeReport } from './report.js';
import { runTrainBench } from './run.js';

const flags = flagsOrExit(parseFlags, usage);

const { json, out, help: _, ...options } = flags;
const command = `pnpm bench:train ${process.argv.slice(2).filter((a) => a !== '--').join(' ')}`.trim();
if (options.quick) console.error(`--quick: ${SMOKE_NOTE}`);
const result = await runTrainBench({ ...options, log: (line) => console.error(line) });
const markdown = markdownReport(result, command);
console.log(json ? JSON.stringify({ command, ...result }, null, 2) : markdown);
const files = await writeReport(result, markdown, command, out ?? fileURLToPath(new URL('../../results/train-bench/', import.meta.url)));
console.error(`Wrote ${files.join(', ')}`);
