import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinearConvError } from '@linearconv/core';
import { type ErrorClass, errorOf, rejectionOf } from '@linearconv/test-support';
import { describe, expect, it } from 'vitest';
import { TOLERANCES } from './backend.js';
import { CaseFormatError, parseCase } from './case.js';
import { committedCasesDir } from './cases.js';
import { committedCases } from './committed-cases.js';
import { combine, compareArrays } from './compare.js';
import { referenceBackend } from './reference-backend.js';
import { BackendRegistry } from './registry.js';
import { checksOf, runCase, runCheck, skipReason } from './run.js';
import { describeConformance } from './vitest.js';

// Every public entry point refuses bad input with a LinearConvError (a CaseFormatError for case
// files) naming the argument, before doing anything, and leaves the caller's objects as they were.

const handText = readFileSync(join(committedCasesDir, 'hand-2x2-ones.json'), 'utf8');
const hand = JSON.parse(handText);
const kase = committedCases().find((c) => c.name === 'hand-2x2-ones')!;
const noCorrelation = committedCases().find((c) => c.expected.correlation === undefined)!;
const reference = referenceBackend();
const tol = { atol: 1e-3, rtol: 1e-3 };
const factory = { name: 'reference', create: async () => referenceBackend() };

/** A deep copy for comparing afterwards: plain data copied, functions and typed arrays compared by value. */
function snapshot(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return (value as Float64Array).slice();
  if (Array.isArray(value)) return value.map(snapshot);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, snapshot(v)]));
  return value;
}

const patched = (path: string[], value: unknown) => {
  const doc = structuredClone(hand);
  let node = doc;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]] = value;
  return doc;
};

type Row = readonly [what: string, call: () => unknown, type: ErrorClass<LinearConvError>, field: string, inputs: readonly unknown[]];

const rows: Row[] = [
  // parseCase
  ['parseCase: a source that is not a string', () => parseCase(42 as never, hand), LinearConvError, 'source', [hand]],
  ['parseCase: a number for the case', () => parseCase('x.json', 42), CaseFormatError, '(root)', []],
  ['parseCase: null for the case', () => parseCase('x.json', null), CaseFormatError, '(root)', []],
  ['parseCase: an array for the case', () => parseCase('x.json', [hand]), CaseFormatError, '(root)', [hand]],
  ['parseCase: an unknown expectedPrecision', () => parseCase('x.json', patched(['expectedPrecision'], 'float16')), CaseFormatError, 'expectedPrecision', []],
  ['parseCase: an input value outside float32', () => parseCase('x.json', patched(['input', 'data'], [1e39, 2, 3, 4, 5, 6, 7, 8, 9])), CaseFormatError, 'input.data', []],
  ['parseCase: a string where a number goes', () => parseCase('x.json', patched(['layer', 'inChannels'], '1')), CaseFormatError, 'layer.inChannels', []],
  ['parseCase: "NaN" as a value', () => parseCase('x.json', patched(['input', 'data'], ['NaN', 2, 3, 4, 5, 6, 7, 8, 9])), CaseFormatError, 'input.data', []],
  ['parseCase: coefficients with odd keys', () => parseCase('x.json', patched(['layer', 'coefficients'], { kind: 'x', toString: 1 })), CaseFormatError, 'layer.coefficients.kind', []],
  ['parseCase: a low rank without a number rank', () => parseCase('x.json', patched(['layer', 'coefficients'], { kind: 'lowRank', rank: [2] })), CaseFormatError, 'layer.coefficients.rank', []],
  ['parseCase: a kernel size of three numbers', () => parseCase('x.json', patched(['layer', 'kernelSize'], [2, 2, 2])), CaseFormatError, 'layer.kernelSize', []],
  ['parseCase: padding of strings', () => parseCase('x.json', patched(['layer', 'padding'], ['0', 0, 0, 0])), CaseFormatError, 'layer.padding', []],
  ['parseCase: an input shape holding an array', () => parseCase('x.json', patched(['input', 'shape'], [1, [1], 3, 3])), CaseFormatError, 'input.shape', []],
  // runCase, runCheck, checksOf, skipReason
  ['runCase: no backend', () => runCase(null as never, kase), LinearConvError, 'backend', [kase]],
  ['runCase: a backend without forward', () => runCase({ ...reference, forward: 'conv' } as never, kase), LinearConvError, 'backend.forward', [kase]],
  ['runCase: a backend missing a capability', () => runCase({ ...reference, capabilities: { ...reference.capabilities, groups: undefined } } as never, kase), LinearConvError, 'backend.capabilities.groups', [kase]],
  ['runCase: a backend with a negative tolerance', () => runCase({ ...reference, tolerance: { atol: -1, rtol: 0 } }, kase), LinearConvError, 'backend.tolerance.atol', [kase]],
  ['runCase: the JSON document instead of a parsed case', () => runCase(reference, hand), LinearConvError, 'case', [hand, reference]],
  ['runCase: an empty object for the case', () => runCase(reference, {} as never), LinearConvError, 'case.name', [reference]],
  ['runCase: a case whose input has no data', () => runCase(reference, { ...kase, input: { shape: [1, 1, 3, 3] } } as never), LinearConvError, 'case.input.data', [kase]],
  ['runCheck: an unknown check', () => runCheck(reference, kase, 'everything' as never), LinearConvError, 'check', [kase]],
  ['runCheck: a check the case has no expectation for', () => runCheck(reference, noCorrelation, 'correlation'), LinearConvError, 'check', [noCorrelation]],
  ['checksOf: undefined', () => checksOf(undefined as never), LinearConvError, 'case', []],
  ['skipReason: an unknown check', () => skipReason(reference, kase, 'speed' as never), LinearConvError, 'check', [kase]],
  // compare
  ['compareArrays: no actual values', () => compareArrays(undefined as never, [1], tol), LinearConvError, 'actual', [tol]],
  ['compareArrays: a string for expected', () => compareArrays([1], 'abc' as never, tol), LinearConvError, 'expected', [tol]],
  ['compareArrays: a negative atol', () => compareArrays([1], [1], { atol: -1, rtol: 0 }), LinearConvError, 'tolerance.atol', []],
  ['compareArrays: a NaN rtol', () => compareArrays([1], [1], { atol: 0, rtol: Number.NaN }), LinearConvError, 'tolerance.rtol', []],
  ['combine: a string for the parts', () => combine('parts' as never), LinearConvError, 'parts', []],
  ['combine: a part without a comparison', () => combine([['output', null]] as never), LinearConvError, 'parts[0]', []],
  // registry
  ['BackendRegistry: a number for the factories', () => new BackendRegistry(42 as never), LinearConvError, 'factories', []],
  ['register: a factory without a name', () => new BackendRegistry().register({ name: '', create: factory.create }), LinearConvError, 'factory.name', []],
  ['register: a factory without create', () => new BackendRegistry().register({ name: 'x' } as never), LinearConvError, 'factory.create', []],
  ['register: null', () => new BackendRegistry().register(null as never), LinearConvError, 'factory', []],
  ['get: a number for the name', () => new BackendRegistry([factory]).get(1 as never), LinearConvError, 'backend', [factory]],
  ['get: an unknown name', () => new BackendRegistry([factory]).get('tfjs-gpu'), LinearConvError, 'backend', [factory]],
  // describeConformance
  ['describeConformance: no factory', () => describeConformance(null as never), LinearConvError, 'factory', []],
  ['describeConformance: a factory without create', () => describeConformance({ name: 'x' } as never), LinearConvError, 'factory.create', []],
  ['describeConformance: a string for options', () => describeConformance(factory, 'cases' as never), LinearConvError, 'options', [factory]],
  ['describeConformance: a string for options.cases', () => describeConformance(factory, { cases: 'cases' as never }), LinearConvError, 'options.cases', [factory]],
];

describe('bad input to the public API', () => {
  it.each(rows)('%s: refused, naming the argument, the input unchanged', async (_, call, type, field, inputs) => {
    const before = inputs.map(snapshot);
    // Sync throws and async rejections alike (runCase and runCheck are async).
    const error = await rejectionOf(async () => call(), type);
    expect(error.field).toBe(field);
    if (error instanceof CaseFormatError) expect(error.message.startsWith(`x.json: ${field}: `)).toBe(true);
    for (const [i, input] of inputs.entries()) expect(snapshot(input)).toEqual(before[i]);
  });

  it('TOLERANCES cannot be loosened by one caller for everyone', () => {
    expect(Object.isFrozen(TOLERANCES) && Object.values(TOLERANCES).every(Object.isFrozen)).toBe(true);
    expect(() => {
      (TOLERANCES.float32 as { atol: number }).atol = 1;
    }).toThrow(TypeError);
    expect(TOLERANCES.float32.atol).toBe(1e-4);
  });
});

describe('deeply nested JSON', () => {
  const nest = (kind: '[]' | '{}', depth: number) => (kind === '[]' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
  /** The hand case's text with one member's value replaced by `value` (text, so the nesting is not built in JS). */
  const withMember = (member: string, value: string) => {
    const doc = JSON.parse(handText);
    const path = member.split('.');
    let node = doc;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = '@@VALUE@@';
    return JSON.stringify(doc).replace('"@@VALUE@@"', value);
  };

  it.each([
    ['format', 'format'],
    ['layer.padding', 'layer.padding'],
    ['layer.kernelSize', 'layer.kernelSize'],
    ['layer.coefficients', 'layer.coefficients'],
    ['layer.strides', 'layer.strides'],
    ['layer.inChannels', 'layer.inChannels'],
    ['layer.useBias', 'layer.useBias'],
    ['name', 'name'],
    ['expectedPrecision', 'expectedPrecision'],
    ['input.shape', 'input.shape'],
    ['weights.primary.data', 'weights.primary.data'],
    ['tolerance', 'tolerance'],
  ])('at %s, 5,000 and 100,000 levels: refused naming the file and the member, no stack overflow', (member, named) => {
    for (const depth of [5_000, 100_000]) {
      for (const kind of ['[]', '{}'] as const) {
        const error = errorOf(() => parseCase('deep.json', withMember(member, nest(kind, depth))), CaseFormatError);
        expect(error.file).toBe('deep.json');
        expect(error.member.startsWith(named), `${member} ${kind} ${depth}: ${error.message}`).toBe(true);
        expect(error.message.length).toBeLessThan(300);
      }
    }
  });
});
