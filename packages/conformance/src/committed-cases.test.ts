import { describe, expect, it } from 'vitest';
import { loadCases } from './cases.js';
import { committedCases } from './committed-cases.js';

describe('committedCases', () => {
  it('gives exactly the cases loadCases reads from the committed folder', () => {
    const bundled = committedCases();
    const fromDisk = loadCases();
    expect(bundled.map((c) => c.name)).toEqual(fromDisk.map((c) => c.name));
    for (const [i, kase] of bundled.entries()) {
      const { source, ...rest } = kase;
      const { source: diskSource, ...diskRest } = fromDisk[i];
      expect(rest, kase.name).toEqual(diskRest);
      expect(diskSource.endsWith(source)).toBe(true);
    }
  });

  it('parses afresh on every call: one caller cannot change the cases another gets', () => {
    const first = committedCases();
    const before = first[0].input.data[0];
    first[0].input.data[0] = before + 1;
    expect(committedCases()[0].input.data[0]).toBe(before);
  });
});
