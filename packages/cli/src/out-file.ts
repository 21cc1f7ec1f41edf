import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './io.js';

/**
 * Refuses an output file that cannot be written, before any work is done: onto a directory, into a
 * missing directory, into one without write permission. One line naming the flag.
 */
export async function checkOutFile(flag: string, path: string): Promise<void> {
  const target = resolve(path);
  if ((await stat(target).catch(() => undefined))?.isDirectory()) throw new UsageError(`${flag} ${path}: is a directory; give a file path`);
  const dir = dirname(target);
  const parent = await stat(dir).catch(() => undefined);
  if (!parent) throw new UsageError(`${flag} ${path}: the directory ${dir} does not exist`);
  if (!parent.isDirectory()) throw new UsageError(`${flag} ${path}: ${dir} is not a directory`);
  await access(dir, constants.W_OK).catch((e: Error) => {
    throw new UsageError(`${flag} ${path}: cannot write in ${dir} (${e.message.split(', ')[0]})`);
  });
}

/** A write that failed anyway (a read-only place, a full disk): the same one line. */
export function outFileError(flag: string, path: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !(e as NodeJS.ErrnoException).syscall) return e;
  return new UsageError(`${flag} ${path}: cannot write (${(e as Error).message.split(', ')[0]})`);
}
