import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from './workspace.js';

/**
 * A throwaway copy of the repository as it stands: the tracked files and the untracked ones git
 * does not ignore, with their working-tree content (no node_modules, no build output, no .git).
 */
export function copyRepository(prefix: string, root: string = repoRoot): string {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  const target = mkdtempSync(join(tmpdir(), prefix));
  for (const file of new Set(listed.split('\0').filter(Boolean))) {
    const from = join(root, file);
    // A tracked file deleted in the working tree is not part of it.
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(from, join(target, file));
  }
  return target;
}
