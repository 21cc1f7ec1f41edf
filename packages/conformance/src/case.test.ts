import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorOf } from '@linearconv/test-support';
import { describe, expect, it } from 'vitest';
import { CaseFormatError, parseCase } from './case.js';
import { committedCasesDir, loadCases } from './cases.js';

const hand = JSON.parse(readFileSync(join(committedCasesDir, 'hand-2x2-ones.json'), 'utf8'));

const refusal = (doc: unknown) => errorOf(() => parseCase('broken.json', typeof doc === 'string' ? doc : JSON.stringify(doc)), CaseFormatError);

/** The hand case with one member replaced (a path of keys, then the new value; undefined deletes). */
function patched(path: (string | number)[], value: unknown): unknown {
  const doc = structuredClone(hand);
  let node = doc;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return doc;
}

describe('parseCase', () => {
  it('reads the hand-written case', () => {
    const kase = parseCase('hand.json', JSON.stringify(hand));
    expect(kase.name).toBe('hand-2x2-ones');
    expect(kase.spec.primaryFilters).toBe(1);
    expect(Array.from(kase.expected.output.data)).toEqual([12.5, 16.5, 24.5, 28.5, 23, 31, 47, 55]);
  });

  it.each([
    ['not JSON', '{"format":', '(file)', /not valid JSON/],
    ['an unknown format', patched(['format'], 'linearconv-case@2'), 'format', /linearconv-case@1/],
    ['a bad name', patched(['name'], 'Hand Case'), 'name', /a-z0-9-/],
    ['a missing layer member', patched(['layer', 'groups'], undefined), 'layer.groups', /required/],
    ['p outside 1..F−1', patched(['layer', 'primaryFilters'], 2), 'layer.primaryFilters', /1\.\.1/],
    ['channels not divisible by groups', patched(['layer', 'groups'], 2), 'layer.groups', /divide/],
    ['non-explicit padding', patched(['layer', 'padding'], 'same'), 'layer.padding', /explicit/],
    ['padding that leaves no output', patched(['layer', 'kernelSize'], [4, 4]), 'layer.padding', /no output/],
    ['a shape product that differs from the data', patched(['input', 'data'], [1, 2, 3]), 'input.data', /holds 3 numbers/],
    ['input channels that differ from the layer', patched(['input', 'shape'], [1, 2, 3, 3]), 'input.shape', /1 channels/],
    ['a weight shape that does not match the layer', patched(['weights', 'primary', 'shape'], [4, 1, 1, 1]), 'weights.primary.shape', /\[1, 1, 2, 2\]/],
    ['a missing coefficient matrix', patched(['weights', 'coefficients'], undefined), 'weights.coefficients', /required/],
    ['a bias when useBias is false', patched(['layer', 'useBias'], false), 'weights.bias', /absent/],
    ['an output of the wrong shape', patched(['expected', 'output', 'shape'], [1, 2, 1, 4]), 'expected.output.shape', /\[1, 2, 2, 2\]/],
    ['a missing output', patched(['expected', 'output'], undefined), 'expected.output', /object/],
    ['a non-numeric value', patched(['expected', 'filters', 'data', 0], 'one'), 'expected.filters.data', /finite numbers/],
    ['a negative tolerance', patched(['tolerance'], { atol: -1, rtol: 0 }), 'tolerance.atol', /≥ 0/],
  ])('rejects %s, naming the file, the member and the rule', (_, doc, member, rule) => {
    const error = refusal(doc);
    expect(error.file).toBe('broken.json');
    expect(error.member).toBe(member);
    expect(error.message).toMatch(rule);
    expect(error.message.startsWith(`broken.json: ${member}: `)).toBe(true);
  });
});

describe('loadCases', () => {
  it('loads the committed cases: at least 30, unique names', () => {
    const cases = loadCases();
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it('covers every feature the suite promises', () => {
    const specs = loadCases().map((c) => ({ ...c.spec, n: c.input.shape[0], h: c.input.shape[2] }));
    const has = (what: string, test: (s: (typeof specs)[number]) => boolean) => expect(specs.some(test), what).toBe(true);
    has('1×1', (s) => s.kernelSize[0] === 1 && s.kernelSize[1] === 1);
    has('3×3', (s) => s.kernelSize[0] === 3 && s.kernelSize[1] === 3);
    has('5×5', (s) => s.kernelSize[0] === 5 && s.kernelSize[1] === 5);
    has('rectangular', (s) => s.kernelSize[0] !== s.kernelSize[1]);
    has('stride 2', (s) => s.strides.includes(2));
    has('dilation 2', (s) => s.dilation.includes(2));
    has('asymmetric padding', (s) => Array.isArray(s.padding) && (s.padding[0] !== s.padding[1] || s.padding[2] !== s.padding[3]));
    has('groups 2', (s) => s.groups === 2);
    has('depthwise', (s) => s.groups > 1 && s.groups === s.inChannels);
    has('odd F', (s) => s.outChannels % 2 === 1);
    has('p ≠ floor(F/2)', (s) => s.primaryFilters !== Math.floor(s.outChannels / 2));
    has('low rank', (s) => s.coefficients.kind === 'lowRank');
    has('batch > 1', (s) => s.n > 1);
    has('bias on', (s) => s.useBias);
    has('bias off', (s) => !s.useBias);
    has('64→64 at 16×16', (s) => s.inChannels === 64 && s.outChannels === 64 && s.h === 16);
    has('F = 2', (s) => s.outChannels === 2);
  });

  it('names a missing path', () => {
    expect(() => loadCases(['/nonexistent/case.json'])).toThrow(/does not exist/);
  });
});
