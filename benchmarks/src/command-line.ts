/**
 * The flags of a benchmark script's command line, or its exit: status 2 with the message and the
 * usage on bad flags, 0 with the usage for --help.
 */
export function flagsOrExit<T extends { help: boolean }>(parse: (argv: readonly string[]) => T, usage: string): T {
  let flags: T;
  try {
    flags = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (flags.help) {
    console.log(usage);
    process.exit(0);
  }
  return flags;
}
