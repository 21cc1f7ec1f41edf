import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every ```js block of the README runs as it is, against the built package (on Dawn here).
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const snippets = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
// Inside the package (not under node_modules), so `@linearconv/webgpu` resolves to itself.
const dir = join(root, 'reports', 'readme');

describe('README snippets', () => {
  it('has snippets', () => expect(snippets.length).toBeGreaterThanOrEqual(2));

  it.each(snippets.map((code, i) => [i + 1, code] as const))('snippet %i runs', (i, code) => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `snippet-${i}.mjs`);
    writeFileSync(file, code);
    execFileSync(process.execPath, [file], { cwd: root, stdio: 'pipe', timeout: 120_000 });
  });
});
