import { createRandom } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { colour, heatmapSvg } from './heatmap.js';

/** Every tag opens and closes in order under one <svg> root: enough XML well-formedness for hand-written SVG. */
function expectWellFormed(svg: string) {
  const stack: string[] = [];
  let roots = 0;
  for (const [tag, close, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)(?:\s+[\w:-]+="[^"<>]*")*\s*(\/?)>/g)) {
    if (close) expect(stack.pop(), tag).toBe(name);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  // Nothing that looks like a tag was left unmatched by the pattern (a stray < or a broken attribute).
  expect(svg.replace(/<(\/?)([a-zA-Z][\w-]*)(?:\s+[\w:-]+="[^"<>]*")*\s*(\/?)>/g, '')).not.toMatch(/[<>]/);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
}

describe('heatmapSvg', () => {
  const n = 6;
  const random = createRandom(3);
  const matrix = Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : random.next()));

  it('is well-formed SVG with one rect per cell carrying its value', () => {
    const svg = heatmapSvg({ matrix, n, title: 'A & B <test>', caption: ['first "line"', 'second'] });
    expectWellFormed(svg);
    const cells = [...svg.matchAll(/<rect class="cell" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#[0-9a-f]{6})" data-value="([\d.]+)"\/>/g)];
    expect(cells).toHaveLength(n * n);
    expect(svg.match(/<rect class="cell"/g)).toHaveLength(n * n);
    cells.forEach((cell, k) => {
      const value = Number(cell[6]);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
      expect(value).toBeCloseTo(matrix[k], 4);
      expect(cell[5]).toBe(colour(matrix[k]));
    });
    // Row-major: cell k sits in row floor(k / n), column k mod n.
    expect(new Set(cells.map((c) => c[1])).size).toBe(n);
    expect(Number(cells[n][2])).toBeGreaterThan(Number(cells[0][2]));
    expect(svg).toContain('A &amp; B &lt;test&gt;');
    expect(svg).toContain('first &quot;line&quot;');
    expect(svg).toMatch(/class="legend"/);
  });

  it('runs from white (0) to dark blue (1)', () => {
    expect(colour(0)).toBe('#f7fbff');
    expect(colour(1)).toBe('#08306b');
    const darkness = (hex: string) => Number.parseInt(hex.slice(1, 3), 16) + Number.parseInt(hex.slice(3, 5), 16) + Number.parseInt(hex.slice(5), 16);
    expect(darkness(colour(0.05))).toBeGreaterThan(darkness(colour(0.2)));
  });

  it('refuses values outside [0, 1] and a matrix of the wrong size', () => {
    expect(() => heatmapSvg({ matrix: [1, 2, 0, 1], n: 2, title: 't', caption: [] })).toThrow(/outside \[0, 1\]/);
    expect(() => heatmapSvg({ matrix: [1, Number.NaN, 0, 1], n: 2, title: 't', caption: [] })).toThrow(/outside/);
    expect(() => heatmapSvg({ matrix: [1, 0, 0], n: 2, title: 't', caption: [] })).toThrow(/expected 2×2 = 4 values, got 3/);
  });
});
