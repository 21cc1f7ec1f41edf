import { execFileSync } from 'node:child_process';
import type { LocalRegistry } from './local-registry.js';
import type { WorkspacePackage } from './workspace.js';

/** What `pnpm publish --json` reports for one package: the tarball as users download it. */
export interface PublishedPackage {
  readonly name: string;
  readonly version: string;
  /** The .tgz, bytes. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly integrity: string;
  readonly files: readonly string[];
}

/**
 * Publishes one workspace package as a release does (`changeset publish` runs `pnpm publish`):
 * pnpm packs it, with `workspace:` ranges rewritten to versions, and uploads it to `registry`.
 */
export function publishPackage(pkg: WorkspacePackage, registry: LocalRegistry): PublishedPackage {
  const stdout = execFileSync('pnpm', ['publish', '--registry', registry.url, '--npmrc-auth-file', registry.authFile, '--no-git-checks', '--json'], {
    cwd: pkg.dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as Omit<PublishedPackage, 'files'> & { files: { path: string }[] };
  return {
    name: report.name,
    version: report.version,
    size: report.size,
    unpackedSize: report.unpackedSize,
    integrity: report.integrity,
    files: report.files.map((f) => f.path),
  };
}
