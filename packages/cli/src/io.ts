/** Where a command writes; tests pass their own to capture output. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Bad arguments: the message is shown as is, without a stack, and the exit status is 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Exit statuses, one meaning each, so that CI can tell a regression from a crash: `failed` is a
 * verdict (a check failed, or none ran), `usage` is bad input (arguments, files, a missing
 * optional package), `internal` a bug in linearconv (EX_SOFTWARE of sysexits.h).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70 } as const;
