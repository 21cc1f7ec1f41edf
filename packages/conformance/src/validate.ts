import { describe, LinearConvError, requireObject } from '@linearconv/core';
import type { Backend, BackendFactory, Capability } from './backend.js';
import { type ConformanceCase, EXPECTED_PRECISIONS, type ExpectedPrecision, type Tolerance } from './case.js';

// Checks of the public API's arguments: a wrong one is a LinearConvError naming it, before any work.

const CAPABILITIES: readonly Capability[] = ['backward', 'correlation', 'groups', 'dilation', 'lowRank'];

type Json = Record<string, unknown>;

function requireFunction(owner: Json, key: string, field: string, optional = false): void {
  if (optional && owner[key] === undefined) return;
  if (typeof owner[key] !== 'function') throw new LinearConvError(`${field}.${key}`, `must be a function, got ${describe(owner[key])}`);
}

function requireName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new LinearConvError(field, `must be a non-empty string, got ${describe(value)}`);
  return value;
}

export function requireTolerance(value: unknown, field: string): Tolerance {
  const t = requireObject(field, value);
  for (const key of ['atol', 'rtol'] as const) {
    if (typeof t[key] !== 'number' || !((t[key] as number) >= 0)) throw new LinearConvError(`${field}.${key}`, `must be a number ≥ 0, got ${describe(t[key])}`);
  }
  return t as unknown as Tolerance;
}

/** An Array or a typed array (not a DataView): what the comparisons index into. */
export function requireNumbers(value: unknown, field: string): ArrayLike<number> {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    throw new LinearConvError(field, `must be an array or a typed array of numbers, got ${describe(value)}`);
  }
  return value as ArrayLike<number>;
}

export function requireBackend(value: unknown, field = 'backend'): Backend {
  const b = requireObject(field, value);
  requireName(b.name, `${field}.name`);
  const capabilities = requireObject(`${field}.capabilities`, b.capabilities);
  for (const key of CAPABILITIES) {
    const support = capabilities[key];
    if (support !== true && (typeof support !== 'string' || support === '')) {
      throw new LinearConvError(`${field}.capabilities.${key}`, `must be true or the reason it is not supported, got ${describe(support)}`);
    }
  }
  requireTolerance(b.tolerance, `${field}.tolerance`);
  for (const key of ['compose', 'forward', 'dispose']) requireFunction(b, key, field);
  for (const key of ['backward', 'correlation', 'prepare']) requireFunction(b, key, field, true);
  return value as Backend;
}

export function requireFactory(value: unknown, field = 'factory'): BackendFactory {
  const f = requireObject(field, value);
  requireName(f.name, `${field}.name`);
  requireFunction(f, 'create', field);
  return value as BackendFactory;
}

function requireTensor(value: unknown, field: string): void {
  const t = requireObject(field, value);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new LinearConvError(`${field}.shape`, `must be an array of positive integers, got ${describe(t.shape)}`);
  }
  requireNumbers(t.data, `${field}.data`);
}

/** A case as parseCase, committedCases and loadCases return it; the JSON document itself is refused by name. */
export function requireCase(value: unknown, field = 'case'): ConformanceCase {
  const c = requireObject(field, value);
  if (c.format !== undefined && c.spec === undefined) {
    throw new LinearConvError(field, 'must be a parsed case (from parseCase, committedCases or loadCases), not the JSON document');
  }
  requireName(c.name, `${field}.name`);
  requireObject(`${field}.spec`, c.spec);
  requireTensor(c.input, `${field}.input`);
  requireTensor(requireObject(`${field}.weights`, c.weights).primary, `${field}.weights.primary`);
  requireTensor(requireObject(`${field}.expected`, c.expected).output, `${field}.expected.output`);
  if (c.tolerance !== undefined) requireTolerance(c.tolerance, `${field}.tolerance`);
  if (c.expectedPrecision !== undefined && !EXPECTED_PRECISIONS.includes(c.expectedPrecision as ExpectedPrecision)) {
    throw new LinearConvError(`${field}.expectedPrecision`, `must be "float32" or "float64", got ${describe(c.expectedPrecision)}`);
  }
  return value as ConformanceCase;
}
