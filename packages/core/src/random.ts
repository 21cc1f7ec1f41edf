import { describe, LinearConvError } from './errors.js';
import { MAX_ELEMENTS } from './spec.js';

/** A seeded source of numbers: the same seed gives the same sequence on every platform. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/** mulberry32: tiny, fast, and good enough for weights and test data (not for cryptography). */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new LinearConvError('seed', `must be an integer, got ${seed}`);
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (low, high) => low + (high - low) * next(),
    normal: () => {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}

/** `value` as a Random: an object with next, uniform and normal (createRandom's). */
export function requireRandom(field: string, value: unknown): Random {
  const r = value as Partial<Random> | null;
  if (r === null || typeof r !== 'object' || typeof r.next !== 'function' || typeof r.uniform !== 'function' || typeof r.normal !== 'function') {
    throw new LinearConvError(field, `must be a Random (from createRandom(seed)), got ${describe(value)}`);
  }
  return r as Random;
}

/** `length` values drawn uniformly from [low, high). */
export function uniformArray(random: Random, length: number, low: number, high: number): Float32Array {
  requireRandom('random', random);
  if (!Number.isInteger(length) || length < 0 || length > MAX_ELEMENTS) {
    throw new LinearConvError('length', `must be an integer in 0..${MAX_ELEMENTS}, got ${describe(length)}`);
  }
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low <= high)) {
    throw new LinearConvError('low, high', `must be finite numbers with low ≤ high, got ${describe(low)}, ${describe(high)}`);
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random.uniform(low, high);
  return out;
}
