import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASE_DEFINITIONS } from './case-definitions.js';
import { committedCasesDir } from './cases.js';
import { casesModule } from './cases-module.js';
import { generateCase, shortestFloat32 } from './generate.js';

describe('generateCase', () => {
  it('reproduces every committed case exactly: the files are what core computes today', () => {
    for (const definition of CASE_DEFINITIONS) {
      const committed = readFileSync(join(committedCasesDir, `${definition.name}.json`), 'utf8');
      expect(`${JSON.stringify(generateCase(definition))}\n`, definition.name).toBe(committed);
    }
  });

  it('commits nothing it does not generate, except hand-written cases and those exported from PyTorch', () => {
    const generated = new Set([...CASE_DEFINITIONS.map((d) => `${d.name}.json`), 'index.js', 'index.d.ts']);
    const stray = readdirSync(committedCasesDir).filter((f) => !generated.has(f) && !f.startsWith('hand-') && !f.startsWith('torch-'));
    expect(stray).toEqual([]);
  });

  it('commits the cases module (cases/index.js) that committedCases imports, listing every case file', () => {
    const files = readdirSync(committedCasesDir).filter((f) => f.endsWith('.json'));
    const module = casesModule(files);
    expect(readFileSync(join(committedCasesDir, 'index.js'), 'utf8')).toBe(module.js);
    expect(readFileSync(join(committedCasesDir, 'index.d.ts'), 'utf8')).toBe(module.dts);
  });

  it('says how it wrote the expected values: float64 precision by default, float32 where asked', () => {
    const full = generateCase(CASE_DEFINITIONS.find((d) => d.expectedPrecision === undefined)!);
    expect(full.expectedPrecision).toBe('float64');
    const rounded = CASE_DEFINITIONS.filter((d) => d.expectedPrecision === 'float32');
    expect(rounded.length).toBeGreaterThanOrEqual(3);
    for (const definition of rounded) {
      const doc = generateCase(definition) as { expectedPrecision: string; expected: { output: { data: number[] }; backward: { inputGrad: { data: number[] } } } };
      expect(doc.expectedPrecision).toBe('float32');
      // Every expected value reads back as the float32 nearest the float64 result (rounded, not
      // recomputed in float32), written as its shortest decimal.
      const reference = generateCase({ ...definition, expectedPrecision: 'float64' }) as typeof doc;
      for (const [values, full64] of [
        [doc.expected.output.data, reference.expected.output.data],
        [doc.expected.backward.inputGrad.data, reference.expected.backward.inputGrad.data],
      ]) {
        expect(values.every((v) => shortestFloat32(v) === v)).toBe(true);
        expect(values.every((v, i) => Math.fround(v) === Math.fround(full64[i]))).toBe(true);
        expect(values.some((v, i) => v !== full64[i])).toBe(true);
      }
    }
  });

  it('writes float32 values in their shortest round-tripping decimal', () => {
    expect(shortestFloat32(0.1)).toBe(0.1);
    expect(shortestFloat32(Math.fround(1 / 3))).toBe(0.33333334);
    expect(Math.fround(shortestFloat32(Math.fround(Math.PI)))).toBe(Math.fround(Math.PI));
  });

});
