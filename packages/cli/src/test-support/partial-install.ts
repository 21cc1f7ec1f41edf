import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const workspace = resolve(cliRoot, '../..');

/** Where the workspace keeps each package a partial install may link. */
const sources: Record<string, string> = {
  '@linearconv/core': join(workspace, 'packages/core'),
  '@linearconv/conformance': join(workspace, 'packages/conformance'),
  '@linearconv/onnx': join(workspace, 'packages/onnx'),
  '@linearconv/tfjs': join(workspace, 'packages/tfjs'),
  '@tensorflow/tfjs-core': join(cliRoot, 'node_modules/@tensorflow/tfjs-core'),
  '@tensorflow/tfjs-layers': join(cliRoot, 'node_modules/@tensorflow/tfjs-layers'),
};

/**
 * The built CLI installed in a fresh folder beside only `packages` (its required dependencies are
 * always there): an install in which the other optional peers really are absent, as for a user who
 * did not add them. Returns a runner of its bin.
 */
export function partialInstall(packages: readonly (keyof typeof sources)[]) {
  const root = mkdtempSync(join(tmpdir(), 'linearconv-partial-'));
  const cli = join(root, 'node_modules/@linearconv/cli');
  mkdirSync(cli, { recursive: true });
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(cliRoot, part), join(cli, part), { recursive: true });
  for (const name of new Set(['@linearconv/core', '@linearconv/conformance', ...packages])) {
    mkdirSync(dirname(join(root, 'node_modules', name)), { recursive: true });
    symlinkSync(sources[name], join(root, 'node_modules', name), 'dir');
  }
  return (...argv: string[]) =>
    spawnSync(process.execPath, [join(cli, 'bin/linearconv.js'), ...argv], { cwd: root, encoding: 'utf8', timeout: 120_000 });
}
