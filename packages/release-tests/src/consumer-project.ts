import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const run = (args: string[], cwd: string, timeout = 600_000) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout,
    // onnxruntime-node's install script would download CUDA files; npm 11 does not run it unasked anyway.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_update_notifier: 'false' },
  });

/**
 * npm's cache entries for `registry` (an origin of this run only): a later run that happens to get
 * the same port must not be served this run's package documents as fresh (--prefer-offline).
 */
export function forgetRegistryInNpmCache(registry: string, cwd: string): void {
  const keys = run(['cache', 'ls'], cwd)
    .split('\n')
    .map((line) => line.trim())
    .filter((key) => key.includes(registry.replace(/^https?:/, '')));
  if (keys.length > 0) run(['cache', 'clean', ...keys], cwd);
}

/**
 * An empty npm project in `dir`, outside the workspace, that installs `dependencies` as a user
 * would: @linearconv/* from `registry` (a scoped .npmrc), everything else from the usual registry.
 */
export function installConsumer(dir: string, registry: string, dependencies: Readonly<Record<string, string>>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'linearconv-consumer', private: true, type: 'module', dependencies }, null, 2)}\n`);
  writeFileSync(join(dir, '.npmrc'), `@linearconv:registry=${registry}\n`);
  forgetRegistryInNpmCache(registry, dir);
  run(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
}
