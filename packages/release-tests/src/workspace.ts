import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this package is packages/release-tests). */
export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly bin?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, unknown>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

export interface WorkspacePackage {
  /** `core` for @linearconv/core: its folder under packages/. */
  readonly short: string;
  readonly dir: string;
  readonly json: PackageJson;
}

export const readJson = <T = PackageJson>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Every package under packages/ that is published (not private), by folder name. */
export function publicPackages(root: string = repoRoot): WorkspacePackage[] {
  const packages = join(root, 'packages');
  return readdirSync(packages, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const dir = join(packages, entry.name);
      try {
        return [{ short: entry.name, dir, json: readJson(join(dir, 'package.json')) }];
      } catch {
        return [];
      }
    })
    .filter((p) => !p.json.private)
    .sort((a, b) => a.short.localeCompare(b.short));
}

/**
 * The exact version of a third-party package that the workspace pins (and tests against) in some
 * public package's devDependencies, so that a consumer installs what the packages were tested with.
 */
export function pinnedVersion(name: string, packages: readonly WorkspacePackage[] = publicPackages()): string {
  const pins = new Set(packages.map((p) => p.json.devDependencies?.[name]).filter((v): v is string => v !== undefined));
  const [pin, ...others] = pins;
  if (!pin || others.length > 0 || !/^\d+\.\d+\.\d+$/.test(pin)) {
    throw new Error(`expected one exact devDependency pin of ${name} across the public packages, got ${JSON.stringify([...pins])}`);
  }
  return pin;
}
