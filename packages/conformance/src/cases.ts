import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaseFormatError, type ConformanceCase, parseCase } from './case.js';

/** The cases committed with this package. */
export const committedCasesDir = fileURLToPath(new URL('../cases', import.meta.url));

/** Every `.json` file named, a directory standing for the files in it (sorted). */
export function caseFiles(paths: readonly string[] = [committedCasesDir]): string[] {
  return paths.flatMap((path) => {
    const full = resolve(path);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(full).isDirectory();
    } catch {
      throw new CaseFormatError(path, '(file)', 'does not exist');
    }
    if (!isDirectory) return [full];
    return readdirSync(full)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(full, f));
  });
}

/** Reads, parses and validates cases; names must be unique across the set. */
export function loadCases(paths?: readonly string[]): ConformanceCase[] {
  const seen = new Map<string, string>();
  return caseFiles(paths).map((file) => {
    const kase = parseCase(file, readFileSync(file, 'utf8'));
    const other = seen.get(kase.name);
    if (other) throw new CaseFormatError(file, 'name', `"${kase.name}" is already used by ${other}`);
    seen.set(kase.name, file);
    return kase;
  });
}
