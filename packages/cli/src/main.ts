import { readFileSync } from 'node:fs';
import { LinearConvError } from '@linearconv/core';
import { benchCommand, benchUsage } from './commands/bench.js';
import { conformanceCommand, conformanceUsage } from './commands/conformance.js';
import { exportCommand, exportUsage } from './commands/export.js';
import { importTorchCommand, importTorchUsage } from './commands/import-torch.js';
import { labCommand, labUsage } from './commands/lab.js';
import { paramsCommand, paramsUsage } from './commands/params.js';
import { reportCommand, reportUsage } from './commands/report.js';
import { EXIT, type Io, processIo, UsageError } from './io.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; bugs: { url: string } };

const commands: Record<string, { run: (argv: string[], io: Io) => Promise<number>; usage: string }> = {
  params: { run: paramsCommand, usage: paramsUsage },
  conformance: { run: conformanceCommand, usage: conformanceUsage },
  export: { run: exportCommand, usage: exportUsage },
  'import-torch': { run: importTorchCommand, usage: importTorchUsage },
  bench: { run: benchCommand, usage: benchUsage },
  report: { run: reportCommand, usage: reportUsage },
  lab: { run: labCommand, usage: labUsage },
};

export const exitStatusHelp = `Exit status:
  0   every check passed (or the command did what it was asked)
  1   a check failed, or none ran (every check skipped)
  2   bad input: arguments, an unreadable or malformed file, an unwritable --out, a backend
      that cannot start, a missing optional package (one line on stderr naming it)
  ${EXIT.internal}  an internal error, a bug in linearconv (one line and where to report it;
      LINEARCONV_DEBUG=1 also prints the stack)`;

const usage = `Usage: linearconv <command> [options]

Commands:
${Object.values(commands)
  .map((c) => `  ${c.usage.split('\n')[0]}`)
  .join('\n')}

Options:
  --help, -h     this text; linearconv <command> --help gives a command's
  --version, -V  the version (${pkg.version})

${exitStatusHelp}`;

/** Runs one command; returns the exit status. Every error is one line on stderr (EXIT says which status). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(usage);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.out(pkg.version);
    return EXIT.ok;
  }
  const command = commands[name];
  if (!command) {
    io.err(`linearconv: unknown command "${name}"; known commands: ${Object.keys(commands).join(', ')} (linearconv --help)`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    return failure(name, e, io);
  }
}

/**
 * Reports an error that ended a command and returns its exit status: bad input (UsageError,
 * LinearConvError and its subclasses, argument errors, a file that cannot be read or written) is
 * one line and EXIT.usage; anything else is a bug, one line saying where to report it and EXIT.internal.
 */
export function failure(command: string | undefined, e: unknown, io: Io, env: Record<string, string | undefined> = process.env): number {
  const prefix = command === undefined ? 'linearconv' : `linearconv ${command}`;
  if (isInputError(e)) {
    io.err(`${prefix}: ${oneLine((e as Error).message)}`);
    return EXIT.usage;
  }
  const debug = env.LINEARCONV_DEBUG !== undefined && env.LINEARCONV_DEBUG !== '' && env.LINEARCONV_DEBUG !== '0';
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  io.err(
    `${prefix}: internal error: ${oneLine(what)} (a bug in linearconv ${pkg.version}: please report it at ${pkg.bugs.url} with the command line${debug ? '' : '; LINEARCONV_DEBUG=1 prints the stack'})`,
  );
  if (debug && e instanceof Error && e.stack) io.err(e.stack);
  return EXIT.internal;
}

function isInputError(e: unknown): boolean {
  if (e instanceof UsageError || e instanceof LinearConvError) return true;
  const { code, syscall, path } = (e ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string') return false;
  // node:util parseArgs, and file-system calls on a path the user gave (reading or writing).
  return code.startsWith('ERR_PARSE_ARGS') || (typeof syscall === 'string' && typeof path === 'string');
}

/** Messages may quote multi-line text (a dependency's error): the report stays one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
