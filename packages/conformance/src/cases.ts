import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, type Stats, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, LinearConvError } from '@linearconv/core';
import { CaseFormatError, type ConformanceCase, parseCase } from './case.js';

/** The cases committed with this package. */
export const committedCasesDir = fileURLToPath(new URL('../cases', import.meta.url));

/**
 * The largest case file read: 64 MiB, far above any useful case (the widest committed one is under
 * 1 MiB) and far below V8's string limit, so a stray huge file is refused before it is read.
 */
export const MAX_CASE_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Every case file named, a folder standing for the `*.json` files in it (sorted). Each must be a
 * regular file (a symbolic link to one is fine) of at most MAX_CASE_FILE_BYTES; anything else (a
 * folder named `*.json`, a dangling link, a FIFO, a socket, a device) is refused without being
 * opened, and so is a folder with no case files.
 */
export function caseFiles(paths: readonly string[] = [committedCasesDir]): string[] {
  requirePaths(paths);
  return paths.flatMap((path) => {
    const full = resolve(path);
    const stats = statOf(path, full);
    if (stats.isDirectory() && !path.endsWith('.json')) {
      const files = readdirSync(full)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(full, f));
      if (files.length === 0) throw new CaseFormatError(path, '(folder)', 'holds no case files (*.json)');
      for (const file of files) requireCaseFile(file, statOf(file, file));
      return files;
    }
    requireCaseFile(path, stats);
    return [full];
  });
}

/** Reads, parses and validates cases; names must be unique across the set. */
export function loadCases(paths?: readonly string[]): ConformanceCase[] {
  const seen = new Map<string, string>();
  return caseFiles(paths).map((file) => {
    const kase = parseCase(file, readCaseFile(file));
    const other = seen.get(kase.name);
    if (other) throw new CaseFormatError(file, 'name', `"${kase.name}" is already used by ${other}`);
    seen.set(kase.name, file);
    return kase;
  });
}

function requirePaths(paths: unknown): asserts paths is readonly string[] {
  if (!Array.isArray(paths)) throw new LinearConvError('paths', `must be an array of case files or folders, got ${describe(paths)}`);
  if (paths.length === 0) throw new LinearConvError('paths', 'must name at least one case file or folder');
  paths.forEach((path, i) => {
    if (typeof path !== 'string' || path === '') throw new LinearConvError(`paths[${i}]`, `must be a non-empty string, got ${describe(path)}`);
  });
}

/** Follows symbolic links; a link whose target is missing is named as such. */
function statOf(name: string, full: string): Stats {
  try {
    return statSync(full);
  } catch {
    let link = false;
    try {
      link = lstatSync(full).isSymbolicLink();
    } catch {
      // Not even the link itself: the path does not exist.
    }
    throw new CaseFormatError(name, '(file)', link ? 'is a symbolic link whose target does not exist' : 'does not exist');
  }
}

function requireCaseFile(name: string, stats: Stats): void {
  if (!stats.isFile()) throw new CaseFormatError(name, '(file)', `is ${kindOf(stats)}, not a regular file`);
  if (stats.size > MAX_CASE_FILE_BYTES) {
    throw new CaseFormatError(name, '(file)', `is ${stats.size} bytes, above the ${MAX_CASE_FILE_BYTES}-byte limit for a case file`);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Reads a file checked by caseFiles. O_NONBLOCK and a second check on the open descriptor keep
 * a file swapped for a FIFO in between from blocking, and a file grown past the limit from being read.
 */
function readCaseFile(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    requireCaseFile(file, stats);
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.toString('utf8', 0, read);
  } finally {
    closeSync(fd);
  }
}
