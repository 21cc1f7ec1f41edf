import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom, LinearConvError } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { CaseFormatError, parseCase } from './case.js';
import { committedCasesDir } from './cases.js';
import { referenceBackend } from './reference-backend.js';
import { CHECKS, runCase } from './run.js';

// Seeded mutations of the committed cases (deleted members, wrong types, off-by-one shapes and
// lengths, huge, negative and non-finite-looking numbers, deep nesting, unknown members). Each
// must be refused with a CaseFormatError naming the file and the member, or parse and get a
// verdict from the reference: no other exception, no hang. The counts are printed for the record.

const SEED = 20251201;
const MUTATIONS = 10_000;
/** Deeper than V8's stack allows a naive recursive walk or message builder. */
const DEPTH = 5000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function nested(kind: 'array' | 'object', depth: number): Json {
  let value: Json = 1;
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

// The widest case costs the reference 40× the others to run, and its parse path is no different.
const files = readdirSync(committedCasesDir).filter((f) => f.endsWith('.json') && f !== 'wide-64x64-16x16.json');
const docs = files.map((f) => deepFreeze(JSON.parse(readFileSync(join(committedCasesDir, f), 'utf8')) as Json));

const random = createRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)];

/** A path from the root, descending into random children; stops early at random. */
function randomPath(doc: Json): (string | number)[] {
  const path: (string | number)[] = [];
  let node = doc;
  while (typeof node === 'object' && node !== null && (path.length === 0 || random.next() < 0.75)) {
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    const key = pick(keys);
    path.push(key);
    node = (node as Record<string | number, Json>)[key];
  }
  return path;
}

/** Copy-on-write: a new document with `edit` applied at `path`; the frozen original is shared elsewhere. */
function withEdit(node: Json, path: readonly (string | number)[], edit: (parent: Json[] | Record<string, Json>, key: string | number) => void): Json {
  if (typeof node !== 'object' || node === null) return node;
  const copy: Json[] | Record<string, Json> = Array.isArray(node) ? [...node] : { ...node };
  const [key, ...rest] = path;
  if (rest.length === 0) edit(copy, key);
  else (copy as Record<string | number, Json>)[key] = withEdit((node as Record<string | number, Json>)[key], rest, edit);
  return deepFreeze(copy);
}

const WRONG: readonly (() => Json)[] = [
  () => null,
  () => true,
  () => '3',
  () => 'NaN',
  () => 'Infinity',
  () => '-Infinity',
  () => ({}),
  () => [],
  () => 0,
  () => -1,
  () => 1.5,
  () => 2 ** 53,
  () => 2 ** 31,
  () => 1e39,
  () => -1e308,
  () => Number.MAX_VALUE,
  () => nested('array', DEPTH),
  () => nested('object', DEPTH),
  () => ({ toString: 1, valueOf: 'x', kind: 'lowRank', rank: '2' }),
];

type Mutation = (doc: Json) => Json;
const MUTATORS: readonly Mutation[] = [
  // Delete a member (or an element: an off-by-one length).
  (doc) =>
    withEdit(doc, randomPath(doc), (parent, key) => {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    }),
  // Replace with a value of the wrong type or size.
  (doc) => {
    const value = pick(WRONG)();
    return withEdit(doc, randomPath(doc), (parent, key) => {
      (parent as Record<string | number, Json>)[key] = value;
    });
  },
  // Off by one (shapes, counts, paddings), or negated / blown up (values).
  (doc) =>
    withEdit(doc, randomPath(doc), (parent, key) => {
      const p = parent as Record<string | number, Json>;
      const v = p[key];
      if (typeof v === 'number') p[key] = pick([v + 1, v - 1, -v, v * 1e30, v + 0.5]);
      else if (Array.isArray(v)) p[key] = [...v, typeof v[0] === 'number' ? 1 : v[0]];
      else p[key] = v === null ? 0 : null;
    }),
  // An unknown member next to known ones.
  (doc) =>
    withEdit(doc, randomPath(doc), (parent, key) => {
      const p = parent as Record<string | number, Json>;
      const v = p[key];
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) p[key] = { ...v, ['__proto__']: 1, constructor: 'x', extra: nested('array', 50) } as Json;
      else p[key] = { value: v };
    }),
];

/** The reference, recording any exception its methods throw for a case that parsed. */
function recordingReference(thrown: unknown[]): Backend {
  const reference = referenceBackend();
  const wrap =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    (...args: A): R => {
      try {
        const result = f(...args);
        if (result instanceof Promise) return result.catch((e) => {
          thrown.push(e);
          throw e;
        }) as R;
        return result;
      } catch (e) {
        thrown.push(e);
        throw e;
      }
    };
  return { ...reference, compose: wrap(reference.compose), forward: wrap(reference.forward), backward: wrap(reference.backward!), correlation: wrap(reference.correlation!) };
}

describe('fuzz', () => {
  it(`${MUTATIONS} seeded mutations (seed ${SEED}) of the committed cases: a clean refusal naming file and member, or a verdict`, async () => {
    const counts = { tried: 0, refused: 0, accepted: 0, pass: 0, fail: 0, skip: 0 };
    const members = new Map<string, number>();
    const thrown: unknown[] = [];
    const backend = recordingReference(thrown);
    for (let i = 0; i < MUTATIONS; i++) {
      const base = Math.floor(random.next() * docs.length);
      let doc = docs[base];
      const edits = 1 + Math.floor(random.next() * 2);
      for (let e = 0; e < edits; e++) doc = pick(MUTATORS)(doc);
      const source = `${files[base]}#${i}`;
      counts.tried++;
      let kase: ReturnType<typeof parseCase>;
      try {
        kase = parseCase(source, doc);
      } catch (error) {
        // Anything but a CaseFormatError fails here, with the mutation that caused it.
        expect(error, `mutation ${i} of ${files[base]}`).toBeInstanceOf(CaseFormatError);
        const refusal = error as CaseFormatError;
        expect(refusal.file).toBe(source);
        expect(refusal.member).toMatch(/^(\(root\)|[a-zA-Z]+(\.[a-zA-Z]+|\[\d+\])*)$/);
        expect(refusal.message.startsWith(`${source}: ${refusal.member}: `)).toBe(true);
        members.set(refusal.member, (members.get(refusal.member) ?? 0) + 1);
        counts.refused++;
        continue;
      }
      counts.accepted++;
      const results = await runCase(backend, kase);
      expect(results.length).toBeGreaterThan(0);
      for (const result of results) {
        expect(CHECKS).toContain(result.check);
        counts[result.status]++;
      }
    }
    // A case that parsed must be one the reference can run: whatever it threw would be a gap in the parser.
    expect(thrown.map((e) => (e instanceof LinearConvError ? `${e.name}: ${e.message}` : String(e)))).toEqual([]);
    expect(counts.refused).toBeGreaterThan(MUTATIONS / 2);
    expect(counts.accepted).toBeGreaterThan(0);
    console.info(
      `fuzz (seed ${SEED}): ${counts.tried} mutations, ${counts.refused} refused cleanly (${members.size} members named), ${counts.accepted} accepted → ${counts.pass} pass, ${counts.fail} fail, ${counts.skip} skip verdicts; 0 other exceptions`,
    );
  }, 120_000);
});
