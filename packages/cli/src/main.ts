import { LinearConvError } from '@linearconv/core';
import { benchCommand, benchUsage } from './commands/bench.js';
import { conformanceCommand, conformanceUsage } from './commands/conformance.js';
import { exportCommand, exportUsage } from './commands/export.js';
import { paramsCommand, paramsUsage } from './commands/params.js';
import { reportCommand, reportUsage } from './commands/report.js';
import { EXIT, type Io, processIo, UsageError } from './io.js';

const commands: Record<string, { run: (argv: string[], io: Io) => Promise<number>; usage: string }> = {
  params: { run: paramsCommand, usage: paramsUsage },
  conformance: { run: conformanceCommand, usage: conformanceUsage },
  export: { run: exportCommand, usage: exportUsage },
  bench: { run: benchCommand, usage: benchUsage },
  report: { run: reportCommand, usage: reportUsage },
};

const usage = `Usage: linearconv <command> [options]

Commands:
${Object.values(commands)
  .map((c) => `  ${c.usage.split('\n')[0]}`)
  .join('\n')}

Run linearconv <command> --help for details.`;

/** Runs one command; returns the exit status. Input errors are one line on stderr, never a stack. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands[name];
  if (!command) {
    io.err(`linearconv: unknown command "${name}"; known commands: ${Object.keys(commands).join(', ')}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof LinearConvError || isParseArgsError(e)) {
      io.err(`linearconv ${name}: ${(e as Error).message}`);
      return EXIT.usage;
    }
    throw e;
  }
}

function isParseArgsError(e: unknown): boolean {
  return typeof (e as { code?: unknown })?.code === 'string' && (e as { code: string }).code.startsWith('ERR_PARSE_ARGS');
}
