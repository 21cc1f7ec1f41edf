import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Registers one test per ```js block of a package's README: each runs as it is, in a fresh Node
 * process, against the built package. The files are written inside the package (not under
 * node_modules), so the package resolves to itself and the rest from its dependencies.
 */
export function describeReadmeSnippets(packageRoot: string, minimum: number): void {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const snippets = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  const dir = join(packageRoot, 'reports', 'readme');
  describe('README snippets', () => {
    it(`has at least ${minimum}`, () => expect(snippets.length).toBeGreaterThanOrEqual(minimum));

    it.each(snippets.map((code, i) => [i + 1, code] as const))('snippet %i runs', (i, code) => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `snippet-${i}.mjs`);
      writeFileSync(file, code);
      execFileSync(process.execPath, [file], { cwd: packageRoot, stdio: 'pipe', timeout: 120_000 });
    });
  });
}
