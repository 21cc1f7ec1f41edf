import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASE_DEFINITIONS } from './case-definitions.js';
import { committedCasesDir } from './cases.js';
import { generateCase, shortestFloat32 } from './generate.js';

describe('generateCase', () => {
  it('reproduces every committed case exactly: the files are what core computes today', () => {
    for (const definition of CASE_DEFINITIONS) {
      const committed = readFileSync(join(committedCasesDir, `${definition.name}.json`), 'utf8');
      expect(`${JSON.stringify(generateCase(definition))}\n`, definition.name).toBe(committed);
    }
  });

  it('commits nothing it does not generate, except hand-written cases', () => {
    const generated = new Set(CASE_DEFINITIONS.map((d) => `${d.name}.json`));
    const stray = readdirSync(committedCasesDir).filter((f) => !generated.has(f) && !f.startsWith('hand-'));
    expect(stray).toEqual([]);
  });

  it('writes float32 values in their shortest round-tripping decimal', () => {
    expect(shortestFloat32(0.1)).toBe(0.1);
    expect(shortestFloat32(Math.fround(1 / 3))).toBe(0.33333334);
    expect(Math.fround(shortestFloat32(Math.fround(Math.PI)))).toBe(Math.fround(Math.PI));
  });

});
